/**
 * Siskin's error codes (as fastify's `FST_ERR_*` table): each names the failure and says whether
 * a retry can help. Retryable → `nak(delay)`; permanent → `term()` plus a dead letter or `*.failed` event.
 */
export const ErrorCode = {
  SISKIN_ERR_INVALID_MESSAGE: { retryable: false, text: "message failed validation" },
  SISKIN_ERR_UNKNOWN_SUBJECT: { retryable: false, text: "no schema is registered for the subject" },
  SISKIN_ERR_UNSUPPORTED_VERSION: { retryable: false, text: "payload version is not supported" },
  SISKIN_ERR_INVALID_CONFIG: { retryable: false, text: "configuration is invalid" },
  SISKIN_ERR_CONFLICT: { retryable: true, text: "the object changed underneath (revision or resourceVersion)" },
  SISKIN_ERR_UNAVAILABLE: { retryable: true, text: "a dependency is unavailable" },
  SISKIN_ERR_NOT_FOUND: { retryable: false, text: "the object does not exist" },
  SISKIN_ERR_INVALID_ROLLOUT: { retryable: false, text: "the VMRollout is invalid" },
  SISKIN_ERR_SNAPSHOT_VERSION: { retryable: false, text: "stored workflow snapshot has an incompatible version" },
  SISKIN_ERR_UNAUTHENTICATED: { retryable: false, text: "the actor was not authenticated by the channel the message came through" },
  SISKIN_ERR_INTERNAL: { retryable: false, text: "internal error" },
} as const;
export type ErrorCode = keyof typeof ErrorCode;

/** An error with a code from {@link ErrorCode}; `retryable` follows the code unless given. */
export class SiskinError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SiskinError";
    this.code = code;
    this.retryable = options.retryable ?? ErrorCode[code].retryable;
  }
}

/**
 * True when a retry may help. An unexpected error (a network failure, a bug) is retried with backoff
 * up to the consumer's delivery limit, then dead-lettered; a SiskinError says for itself.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof SiskinError ? err.retryable : true;
}
