import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AttestGateError } from '../core/errors';
import { RuleAcknowledgements } from '../rules/acknowledgements';
import { RuleVerdict, formatVerdict } from '../rules/evaluate';
import { SpiffeModelInput } from '../spiffe/registration-model';
import { checkSpiffeRegistrations } from './check-spiffe-registrations';

/** Metadata type under which acknowledged findings are recorded on the object's construct. */
export const ACKNOWLEDGED_FINDING_METADATA_TYPE = 'attestgate:acknowledged-finding';

export type SpiffeAttestationChecksProps = Pick<SpiffeModelInput, 'registrations' | 'servers'>;

/**
 * The SPIFFE rules for cdk8s: when the app synthesizes (`app.synth()`, `cdk8s synth`,
 * `Testing.synth`), every `ClusterSPIFFEID` and `ClusterStaticEntry` under the scope — written
 * with attestgate's constructs, as raw `ApiObject`s or through `Include` of a Helm chart's
 * output — is judged, and each open finding fails the synthesis as a cdk8s validation error
 * naming the object, the rule and the fix. Acknowledgements work as on AWS
 * (`RuleAcknowledgements.of(construct).add(id, reason)`) and through the objects' annotations;
 * acknowledged findings are recorded as `attestgate:acknowledged-finding` metadata on the object.
 *
 * @example
 * SpiffeAttestationChecks.applyTo(app);
 * // hand-written objects are judged against the identities they issue:
 * SpiffeAttestationChecks.applyTo(app, { registrations: [deployer], servers: [prodSpire] });
 */
export class SpiffeAttestationChecks {
  /** Judges the registrations under `scope` (an App or a Chart) when the app is validated. */
  public static applyTo(scope: IConstruct, props: SpiffeAttestationChecksProps = {}): void {
    if (scope.node.metadata.some((m) => m.type === APPLIED_METADATA_TYPE)) return;
    scope.node.addMetadata(APPLIED_METADATA_TYPE, true);
    scope.node.addValidation({ validate: () => SpiffeAttestationChecks.judge(scope, props) });
  }

  /** Every verdict on the registrations under `scope`, acknowledged ones included. */
  public static verdictsOf(scope: IConstruct, props: SpiffeAttestationChecksProps = {}, objects = SpiffeAttestationChecks.objectsUnder(scope)): RuleVerdict[] {
    return checkSpiffeRegistrations({ ...props, manifests: [{ source: scope.node.path || '(app)', objects: [...objects.values()].map((o) => o.toJson()) }] }, (resource) => {
      const object = objects.get(resource);
      return object ? RuleAcknowledgements.applying(object) : [];
    });
  }

  private static judge(scope: IConstruct, props: SpiffeAttestationChecksProps): string[] {
    const objects = SpiffeAttestationChecks.objectsUnder(scope);
    let verdicts: RuleVerdict[];
    try {
      verdicts = SpiffeAttestationChecks.verdictsOf(scope, props, objects);
    } catch (e) {
      // Bad input is reported as a validation error, as the synth of any other invalid object is.
      if (e instanceof AttestGateError) return [e.message];
      throw e;
    }
    const errors: string[] = [];
    for (const verdict of verdicts) {
      const object = objects.get(verdict.finding.resource);
      const message = `${object ? `${object.node.path}: ` : ''}${formatVerdict(verdict)}`;
      if (verdict.acknowledgement) {
        if (object && !object.node.metadata.some((m) => m.type === ACKNOWLEDGED_FINDING_METADATA_TYPE && m.data === message)) object.node.addMetadata(ACKNOWLEDGED_FINDING_METADATA_TYPE, message);
      } else {
        errors.push(message);
      }
    }
    return errors;
  }

  /** The registration objects under a scope, by `Kind/name` as the rules name them. */
  public static objectsUnder(scope: IConstruct): Map<string, ApiObject> {
    const objects = new Map<string, ApiObject>();
    for (const c of scope.node.findAll()) {
      if (ApiObject.isApiObject(c) && (c.kind === 'ClusterSPIFFEID' || c.kind === 'ClusterStaticEntry')) objects.set(`${c.kind}/${c.name}`, c);
    }
    return objects;
  }
}

const APPLIED_METADATA_TYPE = 'attestgate:spiffe-attestation-checks';
