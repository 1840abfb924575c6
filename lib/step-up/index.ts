// attestgate/step-up: action-time step-up (RFC 9470) for workloads. The ACR profile; the
// resource-server side (policy, token verification with jose, challenges, middleware for Node
// http, Express, Fastify and MCP servers, decision events); the agent side (a fetch, and axios interceptors, that answer
// the challenge by re-attesting once). Loads lib/core, lib/http and jose — no CDK, cdktf, cloud SDK
// or web framework.
export * from './acr';
export * from './www-authenticate';
export * from './policy';
export * from './token-verifier';
export * from './replay-store';
export * from './events';
export * from './guard';
export * from './middleware';
export * from './token-source';
export * from './agent-fetch';
export * from './agent-axios';
export * from './failure-signal';
