/** A JSON Web Key Set as an issuer publishes it (and as a GCP provider's `jwks_json` holds it). */
export interface Jwks {
  readonly keys: ReadonlyArray<Readonly<Record<string, unknown>>>;
}
