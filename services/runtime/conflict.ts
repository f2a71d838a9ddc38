/**
 * Optimistic concurrency, once: what a lost race looks like, and client-go's `RetryOnConflict`.
 * Pure (no SDK import), so services use it beside their ports.
 */
import { SiskinError } from "../../schemas/errors.js";
import { KubeApiError } from "./kube-error.js";

/**
 * True for a lost optimistic-concurrency race: a SISKIN_ERR_CONFLICT (a KV revision check, as
 * RevisionConflictError is) or a Kubernetes 409 Conflict (a stale resourceVersion). A 409
 * AlreadyExists from a create is not a race to retry; it is left to the caller.
 */
export function isConflict(err: unknown): boolean {
  if (err instanceof SiskinError) return err.code === "SISKIN_ERR_CONFLICT";
  return err instanceof KubeApiError && err.status === 409 && err.reason !== "AlreadyExists";
}

/** Options of {@link retryOnConflict}. */
export interface RetryOnConflictOptions {
  /** Attempts in all (at least 1). */
  attempts: number;
  /** The object and operation, for the error once every attempt lost: `VirtualService ns/name update`. */
  what: string;
  /** Called before each retry (a debug log). */
  onRetry?: (attempt: number, err: unknown) => void;
}

/**
 * Run `fn` (which re-reads, re-plans and writes conditionally) until it does not lose a race, as
 * client-go's `retry.RetryOnConflict`: any other error is thrown at once. After `attempts` lost
 * races it throws a retryable SISKIN_ERR_CONFLICT naming `what`, with the last conflict as cause,
 * so the message is redelivered later rather than spun on here.
 */
export async function retryOnConflict<T>(opts: RetryOnConflictOptions, fn: (attempt: number) => Promise<T>): Promise<T> {
  const attempts = Math.max(1, opts.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= attempts) {
        throw new SiskinError("SISKIN_ERR_CONFLICT", `${opts.what} lost ${attempt} optimistic-concurrency races in a row (the object keeps changing); retrying later`, { cause: err });
      }
      opts.onRetry?.(attempt, err);
    }
  }
}
