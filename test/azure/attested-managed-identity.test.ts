import { Aspects } from 'cdktf';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { AttestedManagedIdentity, AttestedManagedIdentityProps, ENTRA_RSA_NOTE } from '../../lib/azure/attested-managed-identity';
import { TerraformAttestationAspect } from '../../lib/packs/terraform-attestation-aspect';
import { annotations, gateManifestIn, onlyResource, synthesized, tfStack } from '../fixtures/cdktf';
import { deployerIdentity } from '../fixtures/identities';

const SPIFFE = 'spiffe://prod.example/agent/deployer';
const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000';
const base = (overrides: Partial<AttestedManagedIdentityProps> = {}): AttestedManagedIdentityProps => ({
  identity: deployerIdentity(),
  issuer: 'https://oidc.prod.example',
  resourceGroupName: 'agents',
  location: 'westeurope',
  ...overrides,
});

describe('AttestedManagedIdentity', () => {
  test('a user-assigned identity, one exact credential for the SPIFFE ID, and a role at a scope', () => {
    // GIVEN
    const { app, stack } = tfStack();
    // WHEN
    const deployer = new AttestedManagedIdentity(stack, 'Deployer', base({ roleAssignments: [{ scope: SUBSCRIPTION, role: 'Contributor' }] }));
    // THEN
    const tf = synthesized(stack);
    const uami = `azurerm_user_assigned_identity.${deployer.userAssignedIdentity.friendlyUniqueId}`;
    expect(onlyResource(tf, 'azurerm_user_assigned_identity')).toEqual({
      name: 'deployer-agent',
      resource_group_name: 'agents',
      location: 'westeurope',
      tags: { 'attestgate-agent': 'deployer', 'attestgate-spiffe-id': SPIFFE, 'attestgate-privilege': 'high' },
    });
    expect(onlyResource(tf, 'azurerm_federated_identity_credential')).toEqual({
      name: 'deployer-1',
      resource_group_name: 'agents',
      parent_id: `\${${uami}.id}`,
      issuer: 'https://oidc.prod.example',
      subject: SPIFFE,
      audience: ['api://AzureADTokenExchange'],
    });
    expect(onlyResource(tf, 'azurerm_role_assignment')).toEqual({
      scope: SUBSCRIPTION,
      role_definition_name: 'Contributor',
      principal_id: `\${${uami}.principal_id}`,
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
    });
    expect(annotations(stack, 'info')).toEqual([`agents/Deployer: ${ENTRA_RSA_NOTE}`]);
    expect(() => app.synth()).not.toThrow();
  });

  test('further credentials are chained with depends_on, and the manifest declares every trust', () => {
    const { stack } = tfStack();
    const deployer = new AttestedManagedIdentity(stack, 'Deployer', base());
    deployer.addFederatedCredential({ issuer: 'https://oidc.eu.prod.example' });
    deployer.addFederatedCredential({ issuer: 'https://oidc.us.prod.example', name: 'deployer-us' });
    const tf = synthesized(stack);
    const [first, second] = deployer.federatedCredentials.map((c) => `azurerm_federated_identity_credential.${c.friendlyUniqueId}`);
    const credentials = tf.resource.azurerm_federated_identity_credential;
    expect(credentials[deployer.federatedCredentials[0].friendlyUniqueId].depends_on).toBeUndefined();
    expect(credentials[deployer.federatedCredentials[1].friendlyUniqueId].depends_on).toEqual([first]);
    expect(credentials[deployer.federatedCredentials[2].friendlyUniqueId]).toMatchObject({ depends_on: [second], name: 'deployer-us' });
    expect(gateManifestIn(tf, 'azurerm_user_assigned_identity')).toEqual({
      schema: 'attestgate/gate-manifest/v2',
      kind: 'azure-federated-identity-credential',
      identity: deployerIdentity().describe(),
      credentials: [
        { issuer: 'https://oidc.prod.example', subject: SPIFFE, audience: 'api://AzureADTokenExchange' },
        { issuer: 'https://oidc.eu.prod.example', subject: SPIFFE, audience: 'api://AzureADTokenExchange' },
        { issuer: 'https://oidc.us.prod.example', subject: SPIFFE, audience: 'api://AzureADTokenExchange' },
      ],
    });
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test('opt-ins with reasons: another subject, another audience, a trailing-slash issuer', () => {
    const { stack } = tfStack();
    const deployer = new AttestedManagedIdentity(stack, 'Deployer', base({ issuer: 'https://aks.example/tenant/cluster/' }));
    deployer.addFederatedCredential({ issuer: 'https://oidc.prod.example/', issuerTrailingSlashReason: 'the discovery document says iss ends with /', subject: 'spiffe://prod.example/agent/deployer-canary', otherSubjectReason: 'canary of the same agent, reviewed in SEC-42' });
    deployer.addFederatedCredential({ issuer: 'https://oidc.prod.example/', issuerTrailingSlashReason: 'the discovery document says iss ends with /', audience: 'api://AzureADMyOrg', audienceReason: 'legacy client pinned to this audience, SEC-43' });
    expect(deployer.federatedCredentials).toHaveLength(3);
  });

  test('assignRole by role definition ID, with a description and an ABAC condition', () => {
    const { stack } = tfStack();
    const deployer = new AttestedManagedIdentity(stack, 'Deployer', base({ identity: deployerIdentity({ privilege: PrivilegeTier.STANDARD }) }));
    const definition = `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`;
    deployer.assignRole(`${SUBSCRIPTION}/resourceGroups/artifacts`, definition, { description: 'blob writer', condition: "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'builds'" });
    expect(onlyResource(synthesized(stack), 'azurerm_role_assignment')).toMatchObject({ role_definition_id: definition, description: 'blob writer', condition_version: '2.0' });
  });

  test('passes the attestation rules, several credentials included', () => {
    const { app, stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    const deployer = new AttestedManagedIdentity(stack, 'Deployer', base());
    for (let i = 2; i <= 5; i++) deployer.addFederatedCredential({ issuer: `https://oidc-${i}.prod.example` });
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test.each([
    [{ identity: 'deployer' }, "AttestedManagedIdentity 'agents/Deployer': identity \"deployer\" is not an AgentIdentity"],
    [{ identityName: 'a b' }, 'identityName "a b" is not 3–128 letters'],
    [{ issuer: 'http://oidc.prod.example' }, 'issuer "http://oidc.prod.example" uses http'],
    [{ issuer: 'https://oidc.prod.example/' }, 'issuer "https://oidc.prod.example/" ends with a slash after the host'],
    [{ issuer: `https://oidc.prod.example/${'x'.repeat(600)}` }, 'more than the 600 allowed'],
    [{ subject: '' }, 'subject "" is not 1–600 characters'],
    [{ subject: `spiffe://prod.example/${'x'.repeat(600)}`, otherSubjectReason: 'long subject test case' }, 'is not 1–600 characters'],
    [{ subject: 'spiffe://prod.example/agent/*', otherSubjectReason: 'wildcard test case' }, 'contains "*"; Entra matches subjects exactly'],
    [{ subject: ` ${SPIFFE}`, otherSubjectReason: 'whitespace test case' }, 'has leading or trailing whitespace'],
    [{ subject: 'system:serviceaccount:agents:default' }, "subject \"system:serviceaccount:agents:default\" is not the identity's SPIFFE ID (spiffe://prod.example/agent/deployer); it would let another workload obtain the identity"],
    [{ otherSubjectReason: 'short' }, 'otherSubjectReason "short" is shorter than 10 characters'],
    [{ audience: 'api://AzureADMyOrg' }, 'audience "api://AzureADMyOrg" is not api://AzureADTokenExchange'],
    [{ audience: 'x'.repeat(601), audienceReason: 'long audience test case' }, 'is not 1–600 characters. Fix: use api://AzureADTokenExchange'],
    [{ audienceReason: 'short' }, 'audienceReason "short" is shorter than 10 characters'],
    [{ issuerTrailingSlashReason: 'short' }, 'issuerTrailingSlashReason "short" is shorter'],
    [{ name: 'x' }, 'name "x" is not 3–120 letters'],
    [{ roleAssignments: [{ scope: 'subscriptions/1', role: 'Reader' }] }, 'scope "subscriptions/1" is not an ARM resource ID'],
    [{ identity: deployerIdentity({ privilege: PrivilegeTier.READ_ONLY }), roleAssignments: [{ scope: SUBSCRIPTION, role: 'Owner' }] }, 'role "Owner" is a high-privilege role, but identity deployer is declared read-only'],
  ])('rejects bad props %#', (overrides, message) => {
    const { stack } = tfStack();
    expect(() => new AttestedManagedIdentity(stack, 'Deployer', base(overrides as Partial<AttestedManagedIdentityProps>))).toThrow(message);
  });

  test('rejects a duplicate (issuer, subject), trailing-slash drift, and a 21st credential', () => {
    const { stack } = tfStack();
    const deployer = new AttestedManagedIdentity(stack, 'Deployer', base());
    expect(() => deployer.addFederatedCredential({ issuer: 'https://oidc.prod.example' })).toThrow(
      "subject \"spiffe://prod.example/agent/deployer\" is already trusted for issuer https://oidc.prod.example; Entra requires each (issuer, subject) pair once per identity",
    );
    expect(() => deployer.addFederatedCredential({ issuer: 'https://oidc.prod.example/', issuerTrailingSlashReason: 'the discovery document says so' })).toThrow(
      'issuer "https://oidc.prod.example/" differs from the issuer of another credential (https://oidc.prod.example) only by a trailing slash',
    );
    for (let i = 2; i <= 20; i++) deployer.addFederatedCredential({ issuer: `https://oidc-${i}.prod.example` });
    expect(() => deployer.addFederatedCredential({ issuer: 'https://oidc-21.prod.example' })).toThrow('federated credentials 21 exceed the 20 Entra allows per identity');
  });
});
