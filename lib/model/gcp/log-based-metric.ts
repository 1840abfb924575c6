import { GoogleFilter } from './google-filter';
import { PromSample, promQlMetricName } from './promql';

/**
 * Log-based metrics, evaluated: which entries a metric counts, with which labels, and the
 * points Cloud Monitoring stores for them — so alert conditions over the metrics (Monitoring
 * filters, PromQL) can be judged on log entries an attack or a guard writes.
 */

type Entry = Record<string, unknown>;

/** A log-based counter metric as declared (google_logging_metric). */
export interface LogBasedMetricDeclaration {
  /** The metric's name: its type is `logging.googleapis.com/user/<name>`. */
  readonly name: string;
  readonly filter: string;
  /** Label key → `EXTRACT(field)` or `REGEXP_EXTRACT(field, "regex")`. */
  readonly labelExtractors?: unknown;
}

/** The metric type Cloud Monitoring stores a log-based metric under. */
export const logBasedMetricType = (name: string) => `logging.googleapis.com/user/${name}`;

/**
 * Label values a log-based metric (or a log-match condition) extracts from an entry: `EXTRACT`
 * and `REGEXP_EXTRACT` (first group) on a field path; a field that is missing or not a scalar
 * yields no label, as in Logging.
 */
export function extractedLabels(extractors: unknown, entry: Entry): Record<string, string> {
  const labels: Record<string, string> = {};
  if (extractors === null || typeof extractors !== 'object') return labels;
  for (const [key, extractor] of Object.entries(extractors as Record<string, unknown>)) {
    const match = typeof extractor === 'string' ? /^\s*(EXTRACT|REGEXP_EXTRACT)\(\s*([\w.@]+)\s*(?:,\s*"((?:[^"\\]|\\.)*)"\s*)?\)\s*$/.exec(extractor) : null;
    if (!match) continue;
    const value = match[2].split('.').reduce<unknown>((v, step) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[step] : undefined), entry);
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    if (match[1] === 'EXTRACT') labels[key] = String(value);
    else {
      const group = new RegExp(match[3].replace(/\\\\/g, '\\')).exec(String(value))?.[1];
      if (group !== undefined) labels[key] = group;
    }
  }
  return labels;
}

/**
 * The points a set of log-based counter metrics store for entries (each with a `timestamp`):
 * one point of 1 per metric whose filter matches, named as PromQL names it and labelled with
 * the extracted labels, the entry's resource labels and `monitored_resource` (its type).
 *
 * @throws FilterError for a filter the evaluator cannot judge
 */
export function logBasedMetricSamples(metrics: readonly LogBasedMetricDeclaration[], entries: readonly Entry[]): PromSample[] {
  const parsed = metrics.map((m) => ({ metric: m, filter: GoogleFilter.parse(m.filter, 'logging') }));
  const samples: PromSample[] = [];
  for (const entry of entries) {
    const resource = (entry.resource ?? {}) as { type?: string; labels?: Record<string, string> };
    const timeMs = Date.parse(String(entry.timestamp));
    for (const { metric, filter } of parsed) {
      if (!filter.matches(entry)) continue;
      samples.push({
        labels: {
          ...resource.labels,
          monitored_resource: resource.type ?? 'global',
          ...extractedLabels(metric.labelExtractors, entry),
          __name__: promQlMetricName(logBasedMetricType(metric.name)),
        },
        timeMs,
        value: 1,
      });
    }
  }
  return samples;
}
