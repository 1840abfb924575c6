/** A command line that cannot be run as given; the CLI exits 64 (sysexits EX_USAGE). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_USAGE = 64;

/** An unexpected error, i.e. a bug in attestgate (sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;
