import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';

/**
 * The vendored workload.proto of the SPIFFE specification. It sits next to this module in the
 * sources, and `npm run build` copies it next to the compiled module in dist/.
 */
export const WORKLOAD_PROTO_PATH = path.join(__dirname, 'workload.proto');

/** The metadata every Workload API call carries; SPIRE refuses a call without it (InvalidArgument). */
export const SECURITY_HEADER = { name: 'workload.spiffe.io', value: 'true' } as const;

// The messages as @grpc/proto-loader decodes them with keepCase and defaults: field names as
// the proto writes them, every scalar present (empty when unset), bytes as Buffers.

export interface X509SvidMessage {
  readonly spiffe_id: string;
  /** DER certificates, concatenated: the leaf first, then intermediates. */
  readonly x509_svid: Buffer;
  /** PKCS#8 DER. */
  readonly x509_svid_key: Buffer;
  /** DER certificates of the trust domain's X.509 authorities, concatenated. */
  readonly bundle: Buffer;
  readonly hint: string;
}

export interface X509SvidResponseMessage {
  readonly svids: readonly X509SvidMessage[];
  readonly crl: readonly Buffer[];
  readonly federated_bundles: Readonly<Record<string, Buffer>>;
}

export interface X509BundlesResponseMessage {
  readonly crl: readonly Buffer[];
  readonly bundles: Readonly<Record<string, Buffer>>;
}

export interface JwtSvidRequestMessage {
  readonly audience: readonly string[];
  readonly spiffe_id: string;
}

export interface JwtSvidMessage {
  readonly spiffe_id: string;
  readonly svid: string;
  readonly hint: string;
}

export interface JwtSvidResponseMessage {
  readonly svids: readonly JwtSvidMessage[];
}

export interface JwtBundlesResponseMessage {
  /** JWKS documents (JSON bytes) by trust domain ID. */
  readonly bundles: Readonly<Record<string, Buffer>>;
}

export interface ValidateJwtSvidRequestMessage {
  readonly audience: string;
  readonly svid: string;
}

/** google.protobuf.Value with oneofs: the `kind` names the member that is set. */
export interface StructValueMessage {
  readonly kind?: string;
  readonly nullValue?: string | number;
  readonly numberValue?: number;
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly structValue?: StructMessage;
  readonly listValue?: { readonly values?: readonly StructValueMessage[] };
}

export interface StructMessage {
  readonly fields?: Readonly<Record<string, StructValueMessage>>;
}

export interface ValidateJwtSvidResponseMessage {
  readonly spiffe_id: string;
  readonly claims?: StructMessage | null;
}

export interface WorkloadApiModules {
  readonly grpc: typeof grpc;
  /** The generated client class of service SpiffeWorkloadAPI. */
  readonly Client: grpc.ServiceClientConstructor;
  /** The service definition, for servers. */
  readonly service: grpc.ServiceDefinition;
}

let loaded: WorkloadApiModules | undefined;

/**
 * @grpc/grpc-js and the service loaded from the vendored proto. Loaded at first use: a program
 * that imports attestgate/credentials for Roles Anywhere alone never loads gRPC.
 */
export function workloadApiModules(): WorkloadApiModules {
  if (!loaded) {
    const grpcJs = require('@grpc/grpc-js') as typeof grpc;
    const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
    const definition = protoLoader.loadSync(WORKLOAD_PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const Client = grpcJs.loadPackageDefinition(definition).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
    loaded = { grpc: grpcJs, Client, service: Client.service };
  }
  return loaded;
}

/** A google.protobuf.Struct as plain JSON values. */
export function structToJson(struct: StructMessage | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(struct?.fields ?? {})) out[name] = valueToJson(value);
  return out;
}

function valueToJson(value: StructValueMessage): unknown {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return structToJson(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** Plain JSON values as a google.protobuf.Struct (for the emulator's ValidateJWTSVID). */
export function jsonToStruct(json: Readonly<Record<string, unknown>>): StructMessage {
  return { fields: Object.fromEntries(Object.entries(json).map(([name, value]) => [name, jsonToValue(value)])) };
}

function jsonToValue(value: unknown): StructValueMessage {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  return { structValue: jsonToStruct(value as Record<string, unknown>) };
}
