/**
 * A Kubernetes API failure as the workers' ports report it: HTTP status and the API's reason; the
 * message names the object and operation. Thrown by adapters, read by services (no SDK import here).
 */
export class KubeApiError extends Error {
  readonly status: number | undefined;
  /** The API's `reason` (`AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, …), when it said. */
  readonly reason: string | undefined;
  constructor(message: string, status: number | undefined, reason?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
  }
}

/** True when retrying the same call later may succeed: no answer, 429 or a server error. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return true;
  return err.status === undefined || err.status === 429 || err.status >= 500;
}
