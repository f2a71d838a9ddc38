/** Exit codes and the error type of the people-facing `siskin` commands. */

/** Exit codes: 0 done, 1 a failure (unreachable server, unknown release, refused request), 2 bad usage. */
export const Exit = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** What a command prints and its exit code; the logic of every command returns one (no process access). */
export interface CliOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

/** A failure the CLI reports in one sentence (object, operation, fix) with its exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = Exit.failure, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A usage error (exit 2): wrong arguments or flags. */
export function usageError(message: string): CliError {
  return new CliError(message, Exit.usage);
}

/** The outcome of a thrown error: a CliError keeps its code; anything else is a failure (exit 1). */
export function outcomeOfError(err: unknown): CliOutcome {
  const code = err instanceof CliError ? err.exitCode : Exit.failure;
  const message = err instanceof Error ? err.message : String(err);
  return { stdout: "", stderr: `${message}\n`, code };
}
