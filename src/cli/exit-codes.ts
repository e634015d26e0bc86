/**
 * Exit codes of `victor-cache`, stable for scripts:
 * - 0: success;
 * - 1: runtime failure (a store that cannot be opened or read, I/O, a server that cannot listen);
 * - 2: usage or configuration error (unknown command or option, bad argument, invalid YAML or
 *   config value: the message names the path);
 * - 3: not found (`inspect` of a key that is not stored).
 */
export const ExitCode = { OK: 0, RUNTIME: 1, USAGE: 2, NOT_FOUND: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports with a chosen exit code (and no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code = exitCode === ExitCode.NOT_FOUND ? "ERR_NOT_FOUND" : "ERR_CLI",
  ) {
    super(message);
  }
}
