// `siskin serve <worker>`: run one worker in this process (the container entry point).
import { Command, CommanderError } from "commander";

/** A running worker. */
interface Running {
  stop(): Promise<void>;
}
type Main = (env?: Record<string, string | undefined>) => Promise<Running>;

/** Every worker, by the name `serve` takes. Loaded lazily so one worker does not load the others' SDKs. */
export const workers: Record<string, () => Promise<Main>> = {
  orchestrator: async () => (await import("../../orchestrator/main.js")).main,
  "k8s-watcher": async () => (await import("../../k8s-watcher/main.js")).main,
  "vm-provisioner": async () => (await import("../../vm-provisioner/main.js")).main,
  "traffic-router": async () => (await import("../../traffic-router/main.js")).main,
  "metrics-analyzer": async () => (await import("../../metrics-analyzer/main.js")).main,
  "alert-ingest": async () => (await import("../../alert-ingest/main.js")).main,
  "release-trigger": async () => (await import("../../release-trigger/main.js")).main,
  "approval-gateway": async () => (await import("../../approval-gateway/main.js")).main,
  notifier: async () => (await import("../../notifier/main.js")).main,
  "status-writer": async () => (await import("../../status-writer/main.js")).main,
  dashboard: async () => (await import("../../dashboard/main.js")).main,
};

/** Start `names` (or every worker for `all`); resolves to their handles. */
export async function startWorkers(names: string[], env: Record<string, string | undefined> = process.env): Promise<Running[]> {
  const chosen = names.includes("all") ? Object.keys(workers) : names;
  const unknown = chosen.filter((n) => workers[n] === undefined);
  if (unknown.length > 0) {
    throw new CommanderError(2, "siskin.unknownWorker", `unknown worker ${unknown.join(", ")}; choose from: ${Object.keys(workers).join(", ")}, all`);
  }
  const running: Running[] = [];
  for (const name of chosen) {
    const load = workers[name];
    if (load === undefined) continue;
    running.push(await (await load())(env));
  }
  return running;
}

/** Register `serve`. */
export function register(program: Command): void {
  program
    .command("serve")
    .description(`run workers in this process: ${Object.keys(workers).join(", ")}, or all`)
    .argument("<worker...>", "worker names")
    .action(async (names: string[]) => {
      const running = await startWorkers(names);
      // One line once every worker consumes: a supervisor (or the soak) knows the process is ready.
      process.stdout.write(`siskin serve: ready (${names.join(" ")})\n`);
      const stop = async () => {
        for (const r of running.reverse()) await r.stop().catch(() => undefined);
        process.exit(0);
      };
      process.once("SIGTERM", () => void stop());
      process.once("SIGINT", () => void stop());
    });
}
