import { JudgedEntry, SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { RegistrationIntent } from '../../spiffe/registration-intent';
import { PrivilegeTier } from '../../core/privilege-tier';

/**
 * What the SPIFFE rules share: each declared identity with the entries that issue it (literally,
 * or as a template may render it) and the declaration that judges each entry.
 */
export interface IssuingEntry {
  readonly spiffeId: string;
  readonly entry: JudgedEntry;
  /** The entry's own declaration when it carries one for this identity, else the identity's. */
  readonly intent: RegistrationIntent;
}

/** Every (identity, entry that may issue it) pair, optionally high-privilege identities only. */
export function issuingEntries(model: SpiffeRegistrationModel, options: { highPrivilegeOnly?: boolean; literalOnly?: boolean } = {}): IssuingEntry[] {
  return model.identities
    .filter((identity) => !options.highPrivilegeOnly || identity.intent.identity.privilege === PrivilegeTier.HIGH)
    .flatMap((identity) =>
      model
        .entriesIssuing(identity.spiffeId)
        .filter((entry) => !options.literalOnly || entry.spiffeId !== undefined)
        .map((entry) => ({ spiffeId: identity.spiffeId, entry, intent: entry.intent?.identity.spiffeId === identity.spiffeId ? entry.intent : identity.intent })),
    );
}

/** "ClusterSPIFFEID/deployer issues spiffe://…" or "… may render spiffe://… from its template …". */
export function issues({ entry, spiffeId }: IssuingEntry): string {
  return entry.spiffeId !== undefined ? `${entry.resource} issues ${spiffeId}` : `${entry.resource} may render ${spiffeId} from its template ${JSON.stringify(entry.spiffeIdTemplate)}`;
}

/** The trust domain of a SPIFFE ID. */
export function trustDomainOf(spiffeId: string): string {
  return spiffeId.slice('spiffe://'.length).split('/')[0];
}
