import { Certificate, parseCertificate } from '../../../lib/core/pki/certificate';

/** Entries kept before the memo starts over: a run of 100 gates presents ~1,100 distinct leaves. */
const MAX_ENTRIES = 20_000;

/**
 * Certificates the emulator has parsed, by their exact DER bytes. A probe's control certificate
 * arrives with several requests of a run (a gate's positive control, tampered body, session
 * name and lifetime probes…), and a chain's intermediates with every request of their leaf;
 * parsing is a pure function of the bytes, so each distinct certificate is parsed once.
 *
 * Why the cache key is sound: the key is every byte of the DER (as a latin1 string, one
 * character per byte), so two certificates that differ in any byte — another key, serial,
 * validity or signature under the same subject — are different entries. Nothing the answer
 * does not depend on is in the key, and nothing it depends on is left out. What a certificate
 * means at a request (validity at that time, revocation, the anchor) is judged on every request
 * by the path validator and CreateSession; only the parse is shared.
 *
 * The Certificate objects handed out are shared between requests: callers read them and never
 * write to them (nor to their Buffers). Bytes that do not parse are not remembered; they throw
 * every time, with the parser's message.
 */
export class ParsedCertificates {
  private readonly parsed = new Map<string, Certificate>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /** The parsed certificate of `der`; throws as parseCertificate does for bytes that are not one. */
  public parse(der: Uint8Array): Certificate {
    const id = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
    let certificate = this.parsed.get(id);
    if (certificate === undefined) {
      certificate = parseCertificate(der);
      // Starting over keeps memory bounded under a stream of distinct certificates; it costs
      // only the parses of what was dropped.
      if (this.parsed.size >= this.maxEntries) this.parsed.clear();
      this.parsed.set(id, certificate);
    }
    return certificate;
  }

  /** How many certificates are remembered (for tests of the bound). */
  public get size(): number {
    return this.parsed.size;
  }
}

/** The memo the emulator's servers share: one per process (per worker thread), as parses are facts about bytes. */
export const PARSED_CERTIFICATES = new ParsedCertificates();
