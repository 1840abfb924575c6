import { pemBlocks } from '../../core/pki/pem';
import {
  AwsClientOptions,
  RolesAnywhereClient,
  fetchDistributionPoint,
  getCertificateAuthorityCertificate,
  getS3Object,
} from './aws-clients';
import { CRL_IMPORT_NAMESPACE, CrlSourceConfig, ENV } from './contract';
import { CrlImportDependencies, CrlImportDependencyError, CrlImportMetric, CrlImportOutcome, MAX_CRL_DATA_BYTES, importCrl } from './import-crl';

export { CRL_IMPORT_NAMESPACE, ENV } from './contract';
export type { CrlSourceConfig } from './contract';

/**
 * The Lambda entry of CrlImportSchedule: reads its configuration from the environment the
 * construct sets, wires the real dependencies into importCrl, logs the outcome and the metrics
 * (CloudWatch Embedded Metric Format: a log line, so no PutMetricData permission is needed).
 * Built with esbuild into dist/lambda/crl-import/index.js at `npm run build` (`build:lambda`),
 * never at synth. `--main-fields=module,main` makes esbuild take smithy's ES modules, which it can
 * tree-shake: the bundle is ~70 KB of readable code instead of ~420 KB of unused protocol code.
 */

export interface CrlImportConfig {
  readonly region: string;
  readonly trustAnchorId: string;
  readonly crlId: string;
  readonly source: CrlSourceConfig;
}

/** Reads and checks the configuration; a bad one is a deployment error, so it throws. */
export function readConfig(env: NodeJS.ProcessEnv): CrlImportConfig {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`attestgate CRL import: environment variable ${name} is not set`);
    return value;
  };
  let source: CrlSourceConfig;
  try {
    source = JSON.parse(need(ENV.source)) as CrlSourceConfig;
  } catch (e) {
    throw new Error(`attestgate CRL import: ${ENV.source} is not JSON (${(e as Error).message})`);
  }
  if (source.type === 'https') {
    if (!/^https:\/\//.test(source.url ?? '')) throw new Error(`attestgate CRL import: the source URL ${JSON.stringify(source.url)} is not https://`);
  } else if (source.type !== 's3' || !source.bucket || !source.key || !source.region) {
    throw new Error(`attestgate CRL import: ${ENV.source} ${JSON.stringify(source)} is neither an https nor an s3 source`);
  }
  return { region: need('AWS_REGION'), trustAnchorId: need(ENV.trustAnchorId), crlId: need(ENV.crlId), source };
}

/** The Lambda's credentials and any endpoint overrides (`AWS_ENDPOINT_URL_<SERVICE>`, as the SDKs honour them). */
export function clientOptionsFrom(env: NodeJS.ProcessEnv, region: string): AwsClientOptions {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('attestgate CRL import: no AWS credentials in the environment');
  return {
    region,
    credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN },
    endpoints: {
      rolesAnywhere: env.AWS_ENDPOINT_URL_ROLESANYWHERE ?? env.AWS_ENDPOINT_URL,
      s3: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
      acmPca: env.AWS_ENDPOINT_URL_ACM_PCA ?? env.AWS_ENDPOINT_URL,
    },
  };
}

/** The CA certificates of a trust anchor as Roles Anywhere holds them now: the PEM bundle, or the ACM PCA's certificate. */
async function caCertificatesOf(client: RolesAnywhereClient, options: AwsClientOptions, trustAnchorId: string): Promise<Uint8Array[]> {
  const source = await client.getTrustAnchorSource(trustAnchorId);
  if (source.sourceType === 'CERTIFICATE_BUNDLE' && source.x509CertificateData) return pemBlocks(source.x509CertificateData, 'CERTIFICATE');
  if (source.sourceType === 'AWS_ACM_PCA' && source.acmPcaArn) return [await getCertificateAuthorityCertificate(options, source.acmPcaArn)];
  throw new CrlImportDependencyError('invalid-response', `trust anchor ${trustAnchorId} has a ${source.sourceType} source attestgate cannot read CA certificates from`);
}

/**
 * One Embedded Metric Format record. A metric with a reason is published twice — with and
 * without the Reason dimension — so one alarm can watch every reason.
 */
export function embeddedMetricRecord(metric: CrlImportMetric, dimensions: { trustAnchorId: string; crlId: string }, at: Date): Record<string, unknown> {
  const base = ['TrustAnchor', 'Crl'];
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: CRL_IMPORT_NAMESPACE,
          Dimensions: metric.reason === undefined ? [base] : [base, [...base, 'Reason']],
          Metrics: [{ Name: metric.name, Unit: metric.unit }],
        },
      ],
    },
    TrustAnchor: dimensions.trustAnchorId,
    Crl: dimensions.crlId,
    ...(metric.reason === undefined ? {} : { Reason: metric.reason }),
    [metric.name]: metric.value,
  };
}

/** The real dependencies of one run. */
export function liveDependencies(config: CrlImportConfig, options: AwsClientOptions, log: (line: string) => void = console.log): CrlImportDependencies {
  const client = new RolesAnywhereClient(options);
  return {
    fetchCrl: () =>
      config.source.type === 'https'
        ? fetchDistributionPoint(config.source.url, { ...options, maxBytes: MAX_CRL_DATA_BYTES })
        : getS3Object(options, config.source, MAX_CRL_DATA_BYTES),
    trustAnchorCaCertificates: () => caCertificatesOf(client, options, config.trustAnchorId),
    currentCrl: () => client.getCrl(config.crlId),
    updateCrl: (pem) => client.updateCrl(config.crlId, pem),
    now: () => new Date(),
    emitMetric: (metric) => log(JSON.stringify(embeddedMetricRecord(metric, config, new Date()))),
  };
}

/**
 * The handler: scheduled runs and S3 object-created events are handled alike (the event says
 * only that it is time to look). Outcomes are returned, never thrown: a rejected or unreachable
 * CRL is reported by metrics and alarms, and a Lambda retry would not change it.
 */
export async function handler(event: unknown): Promise<CrlImportOutcome> {
  const config = readConfig(process.env);
  const outcome = await importCrl(liveDependencies(config, clientOptionsFrom(process.env, config.region)));
  const trigger = (event as { source?: string } | undefined)?.source ?? 'schedule';
  console.log(JSON.stringify({ message: 'attestgate CRL import', trigger, trustAnchorId: config.trustAnchorId, crlId: config.crlId, ...outcome }));
  return outcome;
}
