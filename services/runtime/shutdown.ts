/** Graceful shutdown on SIGTERM/SIGINT: run the steps in order, bounded by a timeout, then exit. */
import type { Logger } from "pino";

/** Options of {@link onShutdown}. */
export interface ShutdownOptions {
  logger: Logger;
  /** Signals to handle (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
  /** Called with 0 after a clean shutdown, 1 after a failed or timed-out one (default `process.exit`). */
  exit?: (code: number) => void;
  /** The whole shutdown's bound (default 20 s, below Kubernetes' 30 s grace period). */
  timeoutMs?: number;
}

/** A registered shutdown. */
export interface Shutdown {
  /** Run the steps now (as a signal would); the same promise on every call. */
  run(reason: string): Promise<number>;
  /** Remove the signal handlers (tests). */
  dispose(): void;
}

/**
 * On the first signal, run `steps` one after another (stop consumers, `nc.drain()`, close HTTP);
 * a failing step is logged and the rest still run. Exits 0 when all succeeded in time, else 1.
 */
export function onShutdown(steps: Array<() => Promise<void>>, opts: ShutdownOptions): Shutdown {
  const signals = opts.signals ?? ["SIGTERM", "SIGINT"];
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = opts.timeoutMs ?? 20_000;
  let running: Promise<number> | undefined;

  const runSteps = async (): Promise<number> => {
    let code = 0;
    for (const [i, step] of steps.entries()) {
      try {
        await step();
      } catch (err) {
        code = 1;
        opts.logger.error({ err, step: i }, "shutdown step failed");
      }
    }
    return code;
  };

  const run = (reason: string): Promise<number> => {
    if (running !== undefined) return running;
    opts.logger.info({ reason }, "shutting down");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        opts.logger.error({ timeoutMs }, "shutdown timed out");
        resolve(1);
      }, timeoutMs);
    });
    running = Promise.race([runSteps(), timeout]).then((code) => {
      clearTimeout(timer);
      opts.logger.info({ code }, "shutdown finished");
      exit(code);
      return code;
    });
    return running;
  };

  const handlers = signals.map((s) => {
    const h = () => void run(s);
    process.on(s, h);
    return [s, h] as const;
  });
  return {
    run,
    dispose: () => {
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}
