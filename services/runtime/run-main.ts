/** Running a worker's `main()` when its file is executed directly, and stopping it once. */
import { pathToFileURL } from "node:url";
import { createLogger } from "./logger.js";
import { onShutdown } from "./shutdown.js";

/** What every worker's `main()` resolves to. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** True when `moduleUrl` (a module's `import.meta.url`) is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(script).href;
}

/**
 * When the calling module is the entry script, start the worker and drain it on SIGTERM/SIGINT;
 * a start failure is logged and exits 1. Only main.ts files call this.
 */
export function runIfMain(moduleUrl: string, service: string, main: () => Promise<Stoppable>): void {
  if (!isMainModule(moduleUrl)) return;
  const logger = createLogger({ service });
  main().then(
    (running) => onShutdown([() => running.stop()], { logger }),
    (err: unknown) => {
      logger.fatal({ err }, `${service} failed to start`);
      process.exit(1);
    },
  );
}

/** A stop function that runs `steps` in order the first time and returns the same promise after. */
export function stopOnce(...steps: Array<() => Promise<unknown>>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      for (const step of steps) await step();
    })());
}
