/**
 * What CrlImportSchedule and its function agree on: the environment the construct sets, the
 * source description, the metric namespace. Kept apart from the function's code so the
 * construct loads neither the signer nor the HTTP clients at synth.
 */

/** The CloudWatch namespace of the import metrics. */
export const CRL_IMPORT_NAMESPACE = 'attestgate/CrlImport';

/** The environment variables the construct sets. */
export const ENV = {
  trustAnchorId: 'ATTESTGATE_TRUST_ANCHOR_ID',
  crlId: 'ATTESTGATE_CRL_ID',
  source: 'ATTESTGATE_CRL_SOURCE',
} as const;

/** Where the published CRL comes from. */
export type CrlSourceConfig = { readonly type: 'https'; readonly url: string } | { readonly type: 's3'; readonly bucket: string; readonly key: string; readonly region: string };
