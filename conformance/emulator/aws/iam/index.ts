// The emulator's own IAM policy evaluator. It decides whether a role's trust policy lets an IAM
// Roles Anywhere CreateSession or STS AssumeRole request in. @cloud-copilot/iam-simulate is the
// reference it is tested against (test/conformance/emulator/aws/iam), never a runtime dependency:
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
