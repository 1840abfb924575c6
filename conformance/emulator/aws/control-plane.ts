import { parseCertificateBundle } from '../../../lib/core/pki/ca-bundle';
import { EmulatorHttpResponse } from '../http/loopback-server';
import { errorResponse } from './create-session';
import { DeployedStack } from './deploy-cloudformation';
import { deterministicId } from '../../../lib/core/deterministic-id';
import { AwsWorld, Persona } from './world';

/**
 * The control-plane calls the probes make: Roles Anywhere CreateTrustAnchor/DeleteTrustAnchor
 * (the attacker's move in the foreign-trust-anchor probe) and CloudFormation
 * DescribeStackResources (how the live target maps logical IDs to ARNs; served here so that path
 * is tested too).
 */

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

const json = (status: number, body: unknown): EmulatorHttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export function createTrustAnchor(world: AwsWorld, persona: Persona, body: string, now: Date): EmulatorHttpResponse {
  let input: { name?: string; source?: { sourceType?: string; sourceData?: { x509CertificateData?: string } }; enabled?: boolean };
  try {
    input = JSON.parse(body);
  } catch {
    return errorResponse(400, 'ValidationException', 'Request body is not valid JSON.');
  }
  if (!input.name || input.source?.sourceType !== 'CERTIFICATE_BUNDLE' || !input.source.sourceData?.x509CertificateData) {
    return errorResponse(400, 'ValidationException', 'name and a CERTIFICATE_BUNDLE source are required.');
  }
  let caCertificates;
  try {
    caCertificates = parseCertificateBundle(input.source.sourceData.x509CertificateData);
  } catch (e) {
    return errorResponse(400, 'ValidationException', `Invalid certificate bundle: ${(e as Error).message}`);
  }
  if (caCertificates.length === 0) return errorResponse(400, 'ValidationException', 'Invalid certificate bundle: it holds no PEM certificate.');
  const id = deterministicId(world.env.account, 'api', input.name, String(now.getTime()), String(world.trustAnchors.size));
  const anchor = {
    id,
    arn: world.arn('rolesanywhere', `trust-anchor/${id}`),
    name: input.name,
    enabled: input.enabled ?? true,
    sourceType: 'CERTIFICATE_BUNDLE',
    caCertificates,
    origin: `api (${persona.arn})`,
  };
  world.trustAnchors.set(id, anchor);
  return json(201, { trustAnchor: describe(anchor, now) });
}

export function deleteTrustAnchor(world: AwsWorld, id: string, now: Date): EmulatorHttpResponse {
  const anchor = world.trustAnchors.get(id);
  if (!anchor) return errorResponse(404, 'ResourceNotFoundException', 'Trust anchor not found.');
  world.trustAnchors.delete(id);
  return json(200, { trustAnchor: describe(anchor, now) });
}

function describe(anchor: { id: string; arn: string; name: string; enabled: boolean }, now: Date) {
  return { trustAnchorId: anchor.id, trustAnchorArn: anchor.arn, name: anchor.name, enabled: anchor.enabled, createdAt: now.toISOString(), updatedAt: now.toISOString() };
}

/** CloudFormation DescribeStackResources (Query API, XML). */
export function describeStackResources(stacks: readonly DeployedStack[], form: URLSearchParams): EmulatorHttpResponse {
  const name = form.get('StackName');
  const stack = stacks.find((s) => s.stackName === name);
  const ns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
  if (!stack) {
    return { status: 400, headers: { 'content-type': 'text/xml' }, body: `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escapeXml(String(name))} does not exist</Message></Error></ErrorResponse>` };
  }
  const members = [...stack.resources.values()]
    .map((r) => `<member><StackName>${stack.stackName}</StackName><LogicalResourceId>${r.logicalId}</LogicalResourceId><PhysicalResourceId>${r.physicalId}</PhysicalResourceId><ResourceType>${r.type}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><Timestamp>2026-01-01T00:00:00Z</Timestamp></member>`)
    .join('');
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: `<DescribeStackResourcesResponse xmlns="${ns}"><DescribeStackResourcesResult><StackResources>${members}</StackResources></DescribeStackResourcesResult></DescribeStackResourcesResponse>` };
}
