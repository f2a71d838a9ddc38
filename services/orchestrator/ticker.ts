/**
 * The clock of the workflows (as flagger's CanaryJob): every `tickMs`, one `service.tick()` sends
 * `tick {now}` to each live release with something due. Ticks never overlap: the next is scheduled
 * when the previous one has finished. Every replica ticks; the revision check makes one win per
 * release, the others reload and find nothing left to do.
 */
import type { Log } from "./ports.js";
import type { TickReport } from "./service.js";

/** Schedules `fn` after `ms`; returns a cancel function (default: setTimeout). */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** Options of {@link startTicker}. */
export interface TickerOptions {
  /** One tick over every live release (the service's `tick`). */
  tick: () => Promise<TickReport>;
  tickMs: number;
  log: Log;
  /** Timer injection for tests. */
  schedule?: Schedule;
}

/** A running ticker. */
export interface Ticker {
  /** Stop scheduling; waits for a tick in flight. */
  stop(): Promise<void>;
  running(): boolean;
}

const defaultSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

/** Start ticking; the first tick runs after `tickMs`. */
export function startTicker(opts: TickerOptions): Ticker {
  const schedule = opts.schedule ?? defaultSchedule;
  let stopped = false;
  let cancel: (() => void) | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const run = () => {
    cancel = null;
    if (stopped) return;
    inFlight = (async () => {
      try {
        const r = await opts.tick();
        if (r.failed > 0 || r.applied > 0) opts.log.debug({ ...r }, "tick");
      } catch (err) {
        // The index could not be listed (NATS away): try again on the next tick.
        opts.log.warn({ err }, "tick failed");
      }
      if (!stopped) cancel = schedule(run, opts.tickMs);
    })();
  };
  cancel = schedule(run, opts.tickMs);

  return {
    async stop() {
      stopped = true;
      cancel?.();
      cancel = null;
      await inFlight;
    },
    running: () => !stopped,
  };
}
