import { Check, Verdict, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { decodeJwt } from '../../../oidc/jwt';
import { accessTokenOf, combineVerdicts, describeAadOutcome, isAadAnswer, isTransientAad } from '../../../azure/aad-outcome';
import { AzureProbeContext, ProbeCredential, ResolvedAzureGate, gateBlocker, identityOf } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';
import { IssuerKey } from '../../../oidc/issuer-key';
import { HttpOutcome, notTheCloudsAnswer } from '../../../engine/http-outcome';

/** Whether an access token was issued to the gate's identity: its `azp` (v2) or `appid` (v1) is the client ID. */
function judgeIssued(outcome: HttpOutcome, gate: ResolvedAzureGate, what: string, signedWith: unknown): Verdict {
  const token = accessTokenOf(outcome);
  if (!token) {
    if (isTransientAad(outcome)) return inconclusive(`${what}: no verdict after retries (${describeAadOutcome(outcome)})`);
    // Only Entra's own refusal says the gate refuses its agent.
    if (!isAadAnswer(outcome)) return inconclusive(`${what}: ${notTheCloudsAnswer('Entra', describeAadOutcome(outcome), outcome)}`, { received: describeAadOutcome(outcome) });
    return fail(`the gate refuses ${what} (${describeAadOutcome(outcome)})`, { received: describeAadOutcome(outcome) });
  }
  let client: unknown;
  try {
    const { claims } = decodeJwt(token);
    client = claims.azp ?? claims.appid;
  } catch {
    return pass(`${what} got an access token (opaque: its client could not be read)`);
  }
  if (client !== gate.clientId) return fail(`${what} got an access token for client ${String(client)}, not for the identity's client ${gate.clientId}`);
  return pass(`${what} got an access token for the identity`, { received: describeAadOutcome(outcome), signedWith });
}

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-001',
    cloud: 'azure',
    title: "A token matching a federated credential exactly gets an access token",
    statement:
      "Verify that Entra issues an access token for the identity to a client assertion carrying exactly a federated credential's issuer, subject and audience, signed RS256 by a key the issuer publishes — for every credential whose issuer key is at hand.",
    threat: 'A gate that refuses its own agent is broken; and without a working control, no denial proves anything.',
    remediation:
      "Compare each federated credential with the agent's token character by character: issuer (trailing slash), subject (case), audience (api://AzureADTokenExchange). Make the issuer sign RS256 (SPIRE: jwt_key_type = \"rsa-2048\") and its discovery document reachable over https.",
    severity: 'critical',
    tags: ['cloud:azure', 'kind:positive', 'threat:positive-control', 'requires:issuer-key'],
  },
  async run(gate, context) {
    const blocker = gateBlocker(gate);
    if (blocker) return blocker;
    const control = await context.positiveControl(gate);
    if (control.kind === 'unavailable') return skipped(control.reason);
    const what = `a ${control.source === 'token-command' ? "token command's" : 'correctly signed'} token for ${control.credential.address}`;
    const verdicts = [judgeIssued(control.outcome, gate, what, decodeJwt(control.assertion.mint()).header.kid)];
    for (const { credential, key } of otherKeyedCredentials(gate, context, control.credential)) {
      const assertion = signedAssertion(key, identityOf(credential));
      const what = `a correctly signed token for ${credential.address}`;
      verdicts.push(judgeIssued(await context.exchange(gate, assertion, what), gate, what, key.kid));
    }
    return combineVerdicts(verdicts);
  },
  plan(gate, context) {
    if (gateBlocker(gate)) return [];
    const control = context.controlPlan(gate);
    // With a token command, no credential has a key (else the control would be signed with it).
    const others = control.kind === 'issuer-key' ? otherKeyedCredentials(gate, context, control.credential) : [];
    return [
      ...context.plannedControl(gate),
      ...others.map(({ credential, key }) => context.plannedExchange(gate, signedAssertion(key, identityOf(credential)), `a correctly signed token for ${credential.address}`, true)).flat(),
    ];
  },
};

/** The gate's credentials other than the control's whose issuer key is at hand: each gets its own exchange. */
function otherKeyedCredentials(gate: ResolvedAzureGate, context: AzureProbeContext, controlCredential: ProbeCredential): Array<{ credential: ProbeCredential; key: IssuerKey }> {
  return gate.credentials.flatMap((credential) => {
    const key = context.rsaKeyFor(gate, credential);
    return credential !== controlCredential && key ? [{ credential, key }] : [];
  });
}
