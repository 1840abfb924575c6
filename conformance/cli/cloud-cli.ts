import { ParseArgsConfig } from 'node:util';
import { PkiMaterial } from '../pki/pki-directory';

/** `parseArgs` option specifications. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values, by option name. */
export type OptionValues = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

/** What the command line gives every cloud alike. */
export interface SharedValues {
  readonly pki?: PkiMaterial;
  /** `--var NAME=VALUE`: Terraform variables the configurations use. */
  readonly variables: Readonly<Record<string, string>>;
  /** `--token-command CMD`: prints a valid token for a gate (live, OIDC clouds). */
  readonly tokenCommand?: string;
  /** `emulator --no-throttle`: every emulator admits every request (no 429 from its quotas). */
  readonly noThrottle?: boolean;
}

/** An emulator the `emulator` command serves until interrupted. */
export interface ServedEmulator {
  /** What a client needs to reach it, printed as JSON under the cloud's name. */
  readonly description: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * A cloud's part of the command line, kept in its adapter folder so the commands name no cloud:
 * the options of its live target and how they become its run options; the port option, extra
 * options and serving of its emulator; the usage lines of both.
 */
export interface CloudCli<Source, Own, EmulatorOwn = OptionValues> {
  readonly conformance: {
    readonly options: OptionSpecs;
    readonly usage: readonly string[];
    /** This cloud's run options from the parsed command line; bad values are UsageErrors. */
    runOptions(values: OptionValues, shared: SharedValues): Own;
  };
  readonly emulator: {
    /** Its port option, e.g. `gcp-port`. */
    readonly portOption: string;
    readonly options: OptionSpecs;
    readonly usage: readonly string[];
    /** Reads its options before anything starts, so a bad value is refused up front. */
    readOptions(values: OptionValues): EmulatorOwn;
    /** Starts the emulator with the sources that hold this cloud's gates. */
    serve(sources: readonly Source[], port: number, own: EmulatorOwn, shared: SharedValues): Promise<ServedEmulator>;
  };
}

/** A string option's value (parseArgs types every value loosely once specs are merged). */
export const stringValue = (values: OptionValues, name: string): string | undefined => values[name] as string | undefined;
/** A repeatable string option's values. */
export const stringValues = (values: OptionValues, name: string): string[] | undefined => values[name] as string[] | undefined;
