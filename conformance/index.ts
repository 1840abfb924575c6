export * from './discovery/sources';
export * from './discovery/aws-gates';
export * from './discovery/terraform-sources';
export * from './discovery/gcp-gates';
export * from './discovery/azure-gates';
export * from './report/gate-table';
export { main as runCli } from './cli/main';
