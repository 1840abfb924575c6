/**
 * A small tool server an agent drives: listing stacks needs any attested token; destroying one —
 * irreversible — needs a fresh attestation (attested-fresh, at most 60 s old, single-use).
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { ACR, StepUpEvent, nodeHttpGuard, stepUpDecisionOf, stepUpGuard } from '../../lib/step-up';

export interface ToolServer {
  readonly url: string;
  /** Every decision of its guard, in order. */
  readonly events: StepUpEvent[];
  /** The stacks that still exist. */
  readonly stacks: Set<string>;
  close(): Promise<void>;
}

/** Starts the tool server on a loopback port, trusting one issuer's JWKS. */
export async function startToolServer(options: { readonly issuer: string; readonly jwksUri: string; readonly stacks?: readonly string[] }): Promise<ToolServer> {
  const events: StepUpEvent[] = [];
  const stacks = new Set(options.stacks ?? ['staging', 'prod', 'canary']);
  let listener: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const guard = stepUpGuard(
    {
      audience: url,
      issuers: [{ issuer: options.issuer, jwksUri: options.jwksUri }],
      operations: [
        { name: 'list-stacks', method: 'GET', route: '/stacks', acr: [ACR.ATTESTED] },
        { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:name', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
      ],
    },
    { onDecision: (event) => events.push(event) },
  );
  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  listener = nodeHttpGuard(guard, (req, res) => {
    const decision = stepUpDecisionOf(req);
    const name = decodeURIComponent((req.url ?? '').split('?')[0].split('/')[2] ?? '');
    if (decision?.operation?.name === 'list-stacks') return json(res, 200, { stacks: [...stacks] });
    if (decision?.operation?.name === 'destroy-stack') {
      // Idempotent: destroying a stack that is gone answers the same.
      const existed = stacks.delete(name);
      return json(res, 200, { destroyed: name, existed, by: decision.token?.subject });
    }
    return json(res, 404, { error: 'not_found' });
  });
  return {
    url,
    events,
    stacks,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
