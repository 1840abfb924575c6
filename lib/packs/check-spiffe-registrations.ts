import { Acknowledgement } from '../rules/acknowledgements';
import { RuleVerdict, applyAcknowledgements, evaluateRules } from '../rules/evaluate';
import { SPIFFE_RULES } from '../rules/spiffe';
import { SpiffeModelInput, SpiffeRegistrationModel } from '../spiffe/registration-model';

/**
 * Runs the SPIFFE rules (AG-SPIFFE-*) over SPIRE registrations — Kubernetes manifests (parsed
 * YAML), `spire-server entry create -data` batches, or both — and returns every verdict,
 * acknowledged ones included (`isOpen` tells which still need fixing). Acknowledgements come from
 * the objects' annotations, from the declarations in `input.registrations`, and from
 * `constructAcknowledgements` when the objects were synthesized in a construct tree.
 *
 * @throws AttestGateError when an input is malformed (named by file, object and field)
 *
 * @example
 * const verdicts = checkSpiffeRegistrations({
 *   manifests: [{ source: 'dist/spire.k8s.yaml', objects: Yaml.load('dist/spire.k8s.yaml') }],
 *   registrations: [deployerRegistration],
 * });
 * for (const v of verdicts.filter(isOpen)) console.error(formatVerdict(v));
 */
export function checkSpiffeRegistrations(input: SpiffeModelInput, constructAcknowledgements: (resource: string) => Acknowledgement[] = () => []): RuleVerdict[] {
  const model = SpiffeRegistrationModel.read(input);
  const byResource = new Map(model.entries.map((e) => [e.resource, e]));
  return applyAcknowledgements(evaluateRules(SPIFFE_RULES, model), (resource) => [
    ...constructAcknowledgements(resource),
    ...(byResource.get(resource)?.acknowledgements ?? []).map((a) => ({ ruleId: a.ruleId, reason: a.reason, at: a.at, via: 'attestgate' as const })),
  ]);
}
