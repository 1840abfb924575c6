import { block, blocks, TerraformSource } from '../terraform/configuration';
import { Value, isConcrete } from '../terraform/expressions';
import * as crypto from 'node:crypto';
import { AppliedConfiguration, TerraformProviderModel, applyTerraform } from '../terraform/apply';
import type { IdentifierAttributes } from '../terraform/show-json';
import { derivedUniqueId } from './assigned-ids';

/**
 * The google provider's side of "applying" Terraform JSON: the attributes it computes (pool and
 * provider `name`, service account `email`/`name`/`member`/`unique_id`, IAM resource `id`s,
 * `google_project` and `google_iam_policy` data). The emulator deploys what it returns; live runs
 * resolve gates with it and the user's project numbers.
 */

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The attributes that hold another resource's identifier as a bare reference, which a plan's
 * unknown values are followed through (lib/model/terraform/show-json.ts): the service account a
 * new binding is on. Never `member`: `principalSet://…/${pool.name}/*` reads what `pool.name`
 * reads, and is the whole pool.
 */
export const GOOGLE_IDENTIFIER_ATTRIBUTES: IdentifierAttributes = {
  google_service_account_iam_member: ['service_account_id'],
  google_service_account_iam_binding: ['service_account_id'],
  google_service_account_iam_policy: ['service_account_id'],
};

export interface GoogleApplyOptions {
  /** The number of a project ID; undefined leaves names that need it unknown (a live target without --gcp-project-number). */
  readonly projectNumberOf: (projectId: string) => string | undefined;
  /** The project of resources that name none, when the configuration's google provider names none either. */
  readonly defaultProject: string;
  /** Values for Terraform variables. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** The `project` of a configuration's default (unaliased) google provider block, when literal or a variable with a value. */
export function providerProject(source: TerraformSource, variables: Readonly<Record<string, string>> = {}): string | undefined {
  const providers = source.model.configuration.provider;
  const google = isObject(providers) ? providers.google : Array.isArray(providers) ? providers.map((p) => (isObject(p) ? p.google : undefined)).find(Boolean) : undefined;
  const candidates = (Array.isArray(google) ? google : [google]).filter(isObject);
  const project = (candidates.find((p) => p.alias === undefined) ?? candidates[0])?.project;
  if (typeof project !== 'string') return undefined;
  const variable = /^\$\{\s*var\.([A-Za-z0-9_-]+)\s*\}$/.exec(project);
  if (!variable) return project.includes('${') ? undefined : project;
  const declared = source.model.configuration.variable;
  const defaults = (Array.isArray(declared) ? declared : [declared]).filter(isObject).map((v) => v[variable[1]]);
  const fallback = defaults.find((d) => isObject(d) && typeof d.default === 'string') as { default: string } | undefined;
  return variables[variable[1]] ?? fallback?.default;
}

const unknownNumber = (projectId: string): Value => ({ symbolic: 'unknown', reason: `the number of project "${projectId}" (pass the project number)` });

/** The provider model of the google provider for one configuration. */
export function googleProviderModel(options: GoogleApplyOptions & { readonly configurationProject?: string }): TerraformProviderModel {
  const projectOf = (configured: Readonly<Record<string, Value>>, key = 'project'): string => {
    const p = configured[key];
    return typeof p === 'string' ? p : (options.configurationProject ?? options.defaultProject);
  };
  const poolName = (project: string, poolId: Value): Value => {
    const number = options.projectNumberOf(project);
    if (number === undefined) return unknownNumber(project);
    return typeof poolId === 'string' ? `projects/${number}/locations/global/workloadIdentityPools/${poolId}` : { symbolic: 'unknown', reason: 'a pool ID not known at apply' };
  };
  return {
    computed(type, _address, configured): Record<string, Value> | undefined {
      const project = projectOf(configured);
      switch (type) {
        case 'google_iam_workload_identity_pool': {
          // A literal `name` (an imported or hand-written resource) is kept as written.
          const name = typeof configured.name === 'string' ? configured.name : poolName(project, configured.workload_identity_pool_id);
          return { project, name, id: `projects/${project}/locations/global/workloadIdentityPools/${String(configured.workload_identity_pool_id)}`, state: 'ACTIVE' };
        }
        case 'google_iam_workload_identity_pool_provider': {
          const pool = poolName(project, configured.workload_identity_pool_id);
          const providerId = configured.workload_identity_pool_provider_id;
          const name = typeof configured.name === 'string' ? configured.name : typeof pool === 'string' && typeof providerId === 'string' ? `${pool}/providers/${providerId}` : pool;
          return { project, name, id: `projects/${project}/locations/global/workloadIdentityPools/${String(configured.workload_identity_pool_id)}/providers/${String(providerId)}`, state: 'ACTIVE' };
        }
        case 'google_service_account': {
          const email = `${String(configured.account_id)}@${project}.iam.gserviceaccount.com`;
          const name = `projects/${project}/serviceAccounts/${email}`;
          return { project, email, name, id: name, member: `serviceAccount:${email}`, unique_id: derivedUniqueId(email) };
        }
        default:
          if (/^google_.+_iam_(member|binding|policy)$/.test(type)) {
            const scope: Record<string, Value> = type.startsWith('google_project_') ? { project } : {};
            const id = [configured.service_account_id ?? configured.project ?? project, configured.role, configured.member].filter((v) => typeof v === 'string').join('/');
            return { ...scope, id, etag: `BwY${crypto.createHash('sha256').update(id).digest('base64url').slice(0, 8)}=` };
          }
          return undefined;
      }
    },
    data(type, _address, configured): Record<string, Value> | undefined {
      if (type === 'google_project') {
        const project = projectOf(configured, 'project_id');
        return { project_id: project, name: project, number: options.projectNumberOf(project) ?? unknownNumber(project), id: `projects/${project}` };
      }
      if (type === 'google_client_config') return { project: options.configurationProject ?? options.defaultProject, region: '', zone: '' };
      if (type === 'google_iam_policy') {
        const bindings = blocks(configured.binding).map((b) => ({
          role: b.role,
          members: Array.isArray(b.members) ? b.members : [],
          ...(block(b.condition) ? { condition: block(b.condition) } : {}),
        }));
        if (!bindings.every((b) => isConcrete(b as unknown as Value))) return undefined;
        return { policy_data: JSON.stringify({ bindings }) };
      }
      return undefined;
    },
  };
}

/** Applies each configuration with its own default project (its google provider's `project`). */
export function applyGcpTerraform(sources: readonly TerraformSource[], options: GoogleApplyOptions): AppliedConfiguration[] {
  return sources.flatMap((source) =>
    applyTerraform([source], googleProviderModel({ ...options, configurationProject: providerProject(source, options.variables) }), options.variables ?? {}),
  );
}
