import { TerraformModel } from '../../lib/model/terraform/configuration';
import { Value, isSymbol, isSymbolicString } from '../../lib/model/terraform/expressions';

/** The project number, subscription and tenant a configuration does not know before apply. */
export const STAND_IN_PROJECT_NUMBER = '100000000001';
export const STAND_IN_PROJECT = 'attestgate-stand-in-project';
export const STAND_IN_SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';

/**
 * A configuration's values as deployed text: literals as written; references to attributes the
 * configuration sets, as those; computed attributes (a pool's `name`, a service account's
 * `email`, an identity's `id`) derived as the cloud derives them, from stand-ins for what only
 * apply knows (project number, subscription). An attribute nobody can derive — an identity's
 * `client_id` — becomes a unique stand-in. Signals and the entries they are tested on are
 * rendered alike, so a signal matches exactly when it refers to the gate's resources.
 */
export class TerraformStandIns {
  private readonly rendering = new Set<string>();

  constructor(private readonly model: TerraformModel) {}

  /** A value as text, or undefined when part of it is a variable, a function or another unknown. */
  public text(value: Value | undefined): string | undefined {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isSymbolicString(value)) {
      const parts = value.parts.map((p) => (typeof p === 'string' ? p : this.text(p)));
      return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
    }
    if (isSymbol(value) && value.symbolic === 'ref' && value.attribute !== undefined) return this.attribute(value.address, value.attribute);
    return undefined;
  }

  /** A value with every string rendered (lists and blocks kept), or undefined when any part cannot be. */
  public plain(value: Value | undefined): unknown {
    if (value === undefined || value === null) return value;
    if (typeof value === 'string' || isSymbol(value) || isSymbolicString(value)) return this.text(value);
    if (typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const items = value.map((v) => this.plain(v));
      return items.some((i) => i === undefined) ? undefined : items;
    }
    const entries = Object.entries(value).map(([k, v]) => [k, this.plain(v)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
  }

  /** The deployed value of one attribute of a resource of the configuration. */
  public attribute(address: string, attribute: string): string | undefined {
    const resource = this.model.resource(address);
    if (!resource) return undefined;
    const key = `${address}.${attribute}`;
    if (this.rendering.has(key)) return undefined;
    this.rendering.add(key);
    try {
      const set = resource.attributes[attribute];
      if (set !== undefined && set !== null) return this.text(set);
      return this.derived(resource.type, address, attribute);
    } finally {
      this.rendering.delete(key);
    }
  }

  private derived(type: string, address: string, attribute: string): string | undefined {
    const own = (name: string) => this.attribute(address, name);
    const join = (...parts: Array<string | undefined>) => (parts.every((p) => p !== undefined) ? parts.join('') : undefined);
    const poolName = (poolId: string | undefined) => join(`projects/${STAND_IN_PROJECT_NUMBER}/locations/global/workloadIdentityPools/`, poolId);
    const subscription = `/subscriptions/${STAND_IN_SUBSCRIPTION}`;
    switch (`${type}.${attribute}`) {
      case 'google_iam_workload_identity_pool.name':
        return poolName(own('workload_identity_pool_id'));
      case 'google_iam_workload_identity_pool_provider.name':
        return join(poolName(own('workload_identity_pool_id')), '/providers/', own('workload_identity_pool_provider_id'));
      case 'google_service_account.email':
        return join(own('account_id'), '@', own('project'), '.iam.gserviceaccount.com');
      case 'google_service_account.name':
      case 'google_service_account.id':
        return join('projects/', own('project'), '/serviceAccounts/', own('email'));
      case 'google_service_account.member':
        return join('serviceAccount:', own('email'));
      case 'google_service_account.project':
      case 'google_project.project_id':
        return this.googleProject();
      case 'google_project.number':
        return STAND_IN_PROJECT_NUMBER;
      case 'azurerm_resource_group.id':
        return join(`${subscription}/resourceGroups/`, own('name'));
      case 'azurerm_user_assigned_identity.id':
        return join(`${subscription}/resourceGroups/`, own('resource_group_name'), '/providers/Microsoft.ManagedIdentity/userAssignedIdentities/', own('name'));
      case 'azurerm_log_analytics_workspace.id':
        return join(`${subscription}/resourceGroups/`, own('resource_group_name'), '/providers/Microsoft.OperationalInsights/workspaces/', own('name'));
      case 'azurerm_monitor_action_group.id':
        return join(`${subscription}/resourceGroups/`, own('resource_group_name'), '/providers/Microsoft.Insights/actionGroups/', own('name'));
      case 'azurerm_subscription.id':
      case 'azurerm_client_config.id':
        return subscription;
      case 'azurerm_subscription.subscription_id':
      case 'azurerm_client_config.subscription_id':
        return STAND_IN_SUBSCRIPTION;
      default:
        // Unique per resource and attribute: equal only to itself.
        return `«${address}.${attribute}»`;
    }
  }

  /** The google provider's project, as its (first) provider block sets it. */
  private googleProject(): string {
    const providers = this.model.configuration.provider as Record<string, unknown> | undefined;
    const google = providers?.google;
    const block = (Array.isArray(google) ? google[0] : google) as Record<string, unknown> | undefined;
    return typeof block?.project === 'string' && !block.project.includes('${') ? block.project : STAND_IN_PROJECT;
  }
}
