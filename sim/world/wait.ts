/** Bounded polling: wait for a condition with a deadline, never an open-ended sleep. */

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Poll every this many milliseconds (default 25). */
  intervalMs?: number;
  /** What is awaited, named in the timeout error (e.g. "nats-server /healthz on :4222"). */
  what: string;
}

/**
 * Call `probe` until it returns something other than `undefined` or `false`, and return that.
 * A probe that throws counts as "not yet"; its last error is quoted when the deadline passes.
 * Throws an Error naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? 25;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const why = lastError === undefined ? "" : `; last error: ${(lastError as Error).message ?? String(lastError)}`;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
  }
}
