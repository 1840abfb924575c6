// AWS's IAM policy evaluation, as the model of what a policy admits: the emulator decides with it
// whether a role's trust policy lets a Roles Anywhere CreateSession or STS AssumeRole request in. @cloud-copilot/iam-simulate is the
// reference it is tested against (test/model/aws/iam), never a runtime dependency:
// its licence is AGPL.
export type { ContextValue, PrincipalType, RequestContext, RequestPrincipal } from './request-context';
export type { Decision, EvaluateOptions, Evaluation } from './evaluate-policy';
export { evaluatePolicyDocument, evaluateResourcePolicy } from './evaluate-policy';
export type { PolicyDocument, PolicyStatement } from './policy-document';
export { parsePolicyDocument } from './policy-document';
export type { PolicyCondition } from './evaluate-condition';
export type { BaseOperator, ConditionOperator, OperatorFamily } from './condition-operators';
export { BASE_OPERATORS, parseConditionOperator } from './condition-operators';
export type { PolicyPrincipal } from './principal';
