export * from './discovery/sources';
export * from './discovery/aws-gates';
export * from './report/gate-table';
export { main as runCli } from './cli/main';
