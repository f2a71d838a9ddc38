/** Serves sim-slack from `SISKIN_SIM_SLACK_*` variables (docker-compose, `siskin serve sim-slack`). */
import { pathToFileURL } from "node:url";
import { createLogger, onShutdown } from "../../services/runtime/index.js";
import { load, toOptions } from "./config.js";
import { startSimSlack } from "./server.js";

/** Start sim-slack; resolves once it listens. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<{ url: string; stop(): Promise<void> }> {
  const sim = await startSimSlack(toOptions(load(env).simSlack));
  return { url: sim.url, stop: () => sim.close() };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const logger = createLogger({ service: "sim-slack" });
  main().then(
    (running) => {
      logger.info({ url: running.url, api: `${running.url}/api/` }, "sim-slack listening");
      onShutdown([() => running.stop()], { logger });
    },
    (err: unknown) => {
      logger.fatal({ err }, "sim-slack failed to start");
      process.exit(1);
    },
  );
}
