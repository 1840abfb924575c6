/**
 * Azure activity log alert rules (`azurerm_monitor_activity_log_alert`), evaluated on one
 * activity log event: would the rule fire? Azure matches every criterion given, case-insensitively,
 * and events on a scope's resource or anything below it.
 */

/** An activity log event, the fields alert criteria read. */
export interface ActivityLogEvent {
  readonly category: string;
  readonly operationName: string;
  readonly resourceId: string;
  readonly resourceType: string;
  readonly resourceGroup?: string;
  readonly resourceProvider?: string;
  readonly caller?: string;
  readonly level?: string;
  readonly status?: string;
  readonly subStatus?: string;
}

/** An activity log alert rule as its Terraform attributes say, values already plain strings. */
export interface ActivityLogAlertRule {
  readonly scopes: readonly string[];
  readonly enabled?: boolean;
  readonly criteria: Readonly<Record<string, unknown>>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether `scope` is the event's resource or one of its ancestors, segment by segment. */
export function inScope(scope: string, resourceId: string): boolean {
  const prefix = scope.replace(/\/+$/, '').toLowerCase();
  const id = resourceId.toLowerCase();
  return id === prefix || id.startsWith(`${prefix}/`);
}

/** Singular and plural criteria Azure offers for one event field. */
const CRITERIA: ReadonlyArray<readonly [keyof ActivityLogEvent, string, string | undefined]> = [
  ['operationName', 'operation_name', undefined],
  ['resourceProvider', 'resource_provider', 'resource_providers'],
  ['resourceType', 'resource_type', 'resource_types'],
  ['resourceGroup', 'resource_group', 'resource_groups'],
  ['resourceId', 'resource_id', 'resource_ids'],
  ['caller', 'caller', undefined],
  ['level', 'level', 'levels'],
  ['status', 'status', 'statuses'],
  ['subStatus', 'sub_status', 'sub_statuses'],
];

/**
 * Whether the rule fires for the event: enabled, the event in one of its scopes, and every
 * criterion given matched. Recommendation, resource-health and service-health criteria never
 * match an Administrative event, and are reported as not matching.
 */
export function activityLogAlertMatches(rule: ActivityLogAlertRule, event: ActivityLogEvent): boolean {
  if (rule.enabled === false) return false;
  if (!rule.scopes.some((scope) => inScope(scope, event.resourceId))) return false;
  const { criteria } = rule;
  if (typeof criteria.category !== 'string' || !same(criteria.category, event.category)) return false;
  if (['recommendation_category', 'recommendation_impact', 'recommendation_type', 'resource_health', 'service_health'].some((k) => criteria[k] !== undefined)) return false;
  for (const [field, single, plural] of CRITERIA) {
    const wanted = [criteria[single], ...(plural && Array.isArray(criteria[plural]) ? (criteria[plural] as unknown[]) : [])].filter((v): v is string => typeof v === 'string');
    if (wanted.length === 0) continue;
    const actual = event[field];
    if (actual === undefined || !wanted.some((w) => same(w, actual))) return false;
  }
  return true;
}
