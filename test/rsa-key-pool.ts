// The module object itself, not an ES-module namespace copy of it: the patch must be seen by every
// sandbox's `require('node:crypto')`.
import crypto = require('node:crypto');
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * RSA-2048 key generation costs ~190 ms on a 2-core CI machine, and a test run asks for ~200 such
 * keys: every Azure emulator's tenant key and played issuers, GCP's played issuers, the keys the
 * probes forge with (AGC-GCP-002/003, AGC-AZ-002), the tests' own issuer keys. That was ~15 % of
 * the suite's CPU.
 *
 * In tests, `crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })` (and nothing else: other
 * types, sizes, encodings or the async form go to node:crypto untouched) hands out a key generated
 * by an earlier call, kept as PKCS#8 in `dir` — keys are random and depend on no source, so no
 * key is ever stale. Each process hands each stored key out at most once, so every call in a
 * process still gets a key no other call in it got; when the stored keys run out it generates a
 * fresh one as before and stores it for the next run (up to MAX_STORED). A clean checkout costs
 * what it did; a second run generates almost none.
 */
const INSTALLED = Symbol.for('attestgate.test.rsaKeyPool');
const MAX_STORED = 600;
const EXPONENT = 65537;

type KeyPair = { publicKey: crypto.KeyObject; privateKey: crypto.KeyObject };

/** Whether the call asks for exactly a plain RSA-2048 key pair as KeyObjects. */
function isPlainRsa2048(type: unknown, options: unknown, rest: readonly unknown[]): boolean {
  if (type !== 'rsa' || rest.length > 0 || typeof options !== 'object' || options === null) return false;
  const { modulusLength, publicExponent, ...others } = options as { modulusLength?: unknown; publicExponent?: unknown };
  return modulusLength === 2048 && (publicExponent === undefined || publicExponent === EXPONENT) && Object.keys(others).length === 0;
}

/** Installs the pool on node:crypto once per process (jest's sandboxes share the core modules). */
export function installRsaKeyPool(dir: string): void {
  const target = crypto as unknown as Record<PropertyKey, unknown> & { generateKeyPairSync: (...args: unknown[]) => unknown };
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  const original = target.generateKeyPairSync;
  let stored: string[] | undefined;
  let next = 0;

  const take = (): KeyPair | undefined => {
    if (stored === undefined) {
      try {
        stored = fs.readdirSync(dir).filter((f) => f.endsWith('.pem')).sort();
      } catch {
        stored = [];
      }
    }
    while (next < stored.length) {
      const file = stored[next++];
      try {
        const privateKey = crypto.createPrivateKey(fs.readFileSync(path.join(dir, file)));
        const details = privateKey.asymmetricKeyDetails;
        if (privateKey.asymmetricKeyType === 'rsa' && details?.modulusLength === 2048 && details.publicExponent === BigInt(EXPONENT)) {
          return { publicKey: crypto.createPublicKey(privateKey), privateKey };
        }
      } catch {
        // Not a key (a foreign or damaged file): skip it.
      }
    }
    return undefined;
  };

  const store = (privateKey: crypto.KeyObject): void => {
    if ((stored?.length ?? 0) >= MAX_STORED) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      const name = `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
      const tmp = path.join(dir, `${name}.tmp`);
      fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      fs.renameSync(tmp, path.join(dir, `${name}.pem`));
    } catch {
      // The pool is an optimisation: a read-only cache directory only costs time.
    }
  };

  target.generateKeyPairSync = function generateKeyPairSync(this: unknown, type: unknown, options?: unknown, ...rest: unknown[]) {
    if (!isPlainRsa2048(type, options, rest)) return original.call(this, type, options, ...rest);
    const pooled = take();
    if (pooled) return pooled;
    const fresh = original.call(this, type, options) as KeyPair;
    store(fresh.privateKey);
    return fresh;
  };
}
