import 'reflect-metadata';
import * as crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 generates the test PKI; it needs a WebCrypto provider. It is loaded only by the
// conformance side: synth-time code reads certificates with lib/core/pki (node:crypto + DER).
x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

export { x509 };
