// The agent side's test fixtures, shared by stepUpFetch's and stepUpAxios's tests so both clients
// are held to the same servers, sources and hostile answers.
import * as http from 'node:http';
import { serve } from '../fixtures/loopback-http';
import { ACR } from '../../lib/step-up/acr';
import { StepUpError } from '../../lib/step-up/agent-fetch';
import { StepUpGuard } from '../../lib/step-up/guard';
import { nodeHttpGuard } from '../../lib/step-up/middleware';
import { TokenRequest, TokenSource, TokenSourceError } from '../../lib/step-up/token-source';
import { NOW, NOW_MS, randomJti, testIssuer } from './fixtures';

export const issuer = testIssuer();

/**
 * A token source over the test issuer that records what it was asked: the first token is a
 * plain `attested` one; a step-up gets what the challenge asked, unless told to fail or to stay weak.
 */
export function recordingSource(behaviour: { stepUp?: 'meet' | 'stay-weak' | 'fail'; initial?: () => string } = {}): TokenSource & { asked: TokenRequest[] } {
  const asked: TokenRequest[] = [];
  return {
    asked,
    async getToken(request) {
      const { signal: _signal, ...rest } = request;
      asked.push(rest as TokenRequest);
      const aud = request.audience;
      if (request.reason === 'initial') return behaviour.initial?.() ?? issuer.mint({ aud, acr: ACR.ATTESTED, scope: (request.scopes ?? []).join(' ') });
      if (behaviour.stepUp === 'fail') throw new TokenSourceError('cannot-meet', 'the workload could not be attested');
      if (behaviour.stepUp === 'stay-weak') return issuer.mint({ aud, acr: ACR.ATTESTED });
      return issuer.mint({ aud, acr: request.acrValues?.[0] ?? ACR.ATTESTED, auth_time: NOW, jti: randomJti(), scope: (request.scopes ?? []).join(' ') });
    },
  };
}

export interface Seen {
  method: string;
  url: string;
  body: string;
}

/** A tool server behind the guard: it records what reached it and echoes the request body. */
export async function toolServer(): Promise<{ url: string; seen: Seen[]; attempts: () => number; close(): Promise<void> }> {
  const seen: Seen[] = [];
  let attempts = 0;
  let guarded: http.RequestListener = () => undefined;
  const server = await serve((req, res) => {
    attempts++;
    guarded(req, res);
  });
  // The audience is the server's own origin, known once it listens.
  const guard = new StepUpGuard(
    {
      audience: server.url,
      issuers: [issuer.trusted],
      operations: [
        { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:id', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
        { name: 'run-migration', method: 'POST', route: '/migrations', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
        { name: 'write-ledger', method: 'PUT', route: '/ledger', scopes: ['ledger:write'] },
      ],
    },
    { nowMs: () => NOW_MS },
  );
  guarded = nodeHttpGuard(guard, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`done: ${body}`);
    });
  });
  return { ...server, seen, attempts: () => attempts };
}

/** A server that answers every request with a fixed status and WWW-Authenticate, counting requests. */
export async function answering(status: number, wwwAuthenticate?: string): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = await serve((_req, res) => {
    hits++;
    res.writeHead(status, wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {}).end('{}');
  });
  return { ...server, hits: () => hits };
}

/** Answers no client may obey: each must come back as it came, nothing re-attested or retried. */
export const HOSTILE_ANSWERS: ReadonlyArray<readonly [string, number, string | undefined]> = [
  ['a duplicated parameter', 401, 'Bearer error="insufficient_user_authentication", acr_values="a", acr_values="b"'],
  ['a non-integer max_age', 401, 'Bearer error="insufficient_user_authentication", max_age="-5"'],
  ['an oversized header', 401, `Bearer error="insufficient_user_authentication", error_description="${'x'.repeat(9000)}"`],
  ['two OAuth challenges with errors', 401, 'Bearer error="insufficient_user_authentication", DPoP error="invalid_token"'],
  ['no WWW-Authenticate', 401, undefined],
  ['a 403 that is not insufficient_scope', 403, 'Bearer error="insufficient_user_authentication", acr_values="a"'],
  ['a 401 without an error code', 401, 'Bearer realm="api"'],
];

/** A challenge whose error_description holds quoted commas and a fake acr_values. */
export const QUOTED_COMMAS = 'Bearer error_description="stronger, please, acr_values=\\"x\\"", error="insufficient_user_authentication", acr_values="urn:attestgate:acr:attested-hwk", max_age=30';

export async function caught(promise: Promise<unknown>): Promise<StepUpError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(StepUpError);
    return e as StepUpError;
  }
  throw new Error('expected a StepUpError');
}
