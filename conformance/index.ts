// attestgate/conformance: discover gates in synthesized output, probe them on the local emulator
// or live AWS, and report. The CLI (`attestgate conformance`) is a thin layer over these.
export * from './discovery/sources';
export * from './discovery/aws-gates';
export { runAwsConformance } from './aws/run-aws-conformance';
export type { AwsConformanceOptions, AwsConformanceRun } from './aws/run-aws-conformance';
export { startAwsEmulator } from './emulator/aws-emulator';
export type { AwsEmulatorOptions, RunningAwsEmulator } from './emulator/aws-emulator';
export { runAzureConformance, pkiIssuerKeys } from './azure/run-azure-conformance';
export type { AzureConformanceOptions, AzureConformanceRun } from './azure/run-azure-conformance';
export { startAzureEmulator } from './emulator/azure-emulator';
export type { AzureEmulatorOptions, RunningAzureEmulator } from './emulator/azure-emulator';
export type { Jwks, PlayedIssuer } from './emulator/azure/played-issuers';
export type { EntraBehaviour } from './emulator/azure/token-endpoint';
export { loadPkiDirectory, PkiError } from './pki/pki-directory';
export type { PkiMaterial, PkiEntry } from './pki/pki-directory';
export { CHECK_CATALOG } from './catalog';
export * from './engine/check';
export * from './engine/report';
export { writeReports, REPORT_FORMATS } from './report/write-reports';
export type { ReportFormat } from './report/write-reports';
export * from './discovery/terraform-sources';
export * from './discovery/gcp-gates';
export * from './discovery/azure-gates';
export * from './report/gate-table';
export { main as runCli } from './cli/main';
