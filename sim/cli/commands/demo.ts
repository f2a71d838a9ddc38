// `siskin demo`: the BookInfo story end to end against the simulated world (sim/cli/demo/).
import { Command, InvalidArgumentError } from "commander";
import type { StartWorker } from "../../world/index.js";
import { runDemo } from "../demo/run.js";
import { startWorkers } from "../../../services/cli/commands/serve.js";

const positive = (flag: string) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${raw}"`);
  return n;
};

/** Start one worker in this process through `serve`'s table. */
export const startWorkerInProcess: StartWorker = async (name, env) => {
  const [running] = await startWorkers([name], env);
  if (running === undefined) throw new Error(`worker ${name} did not start`);
  return running;
};

/** Resolves at the first SIGINT or SIGTERM. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

interface DemoFlags {
  external?: boolean;
  keep?: boolean;
  report: string;
  dataDir: string;
  logLevel: string;
  timeout: number;
  analysisSeconds: number;
  rollbackWindowSeconds: number;
}

/** Adds `demo` to the program. */
export function register(program: Command): void {
  program
    .command("demo")
    .description("play the BookInfo story: five releases of ratings (promoted, rolled back by alert, by latency, held by a live migration, shadow traffic rolled back before users saw it)")
    .option("--external", "drive an already running world (docker-compose) found by SISKIN_NATS_SERVERS, SISKIN_KUBECONFIG, SISKIN_SIM_SLACK_URL, SISKIN_GITHUB_WEBHOOK_URL, SISKIN_GITHUB_WEBHOOK_SECRET, SISKIN_PROMETHEUS_URL")
    .option("--keep", "leave the world running at the end, for exploring (Ctrl-C stops it)")
    .option("--report <file>", "where to write the JSON report", "out/demo-report.json")
    .option("--data-dir <dir>", "where the world writes its kubeconfig and server data", "out")
    .option("--log-level <level>", "log level of the in-process workers (their JSON lines go to stdout)", "error")
    .option("--timeout <seconds>", "bound on one release, from tag push to completion", positive("--timeout"), 180)
    .option("--analysis-seconds <n>", "analysis interval of the rollout (local mode)", positive("--analysis-seconds"), 5)
    .option("--rollback-window-seconds <n>", "how long the old version stays up after promotion (local mode)", positive("--rollback-window-seconds"), 10)
    .action(async (f: DemoFlags) => {
      const { code } = await runDemo(
        {
          external: f.external === true,
          keep: f.keep === true,
          reportPath: f.report,
          dataDir: f.dataDir,
          logLevel: f.logLevel,
          timeoutSeconds: f.timeout,
          analysisSeconds: f.analysisSeconds,
          rollbackWindowSeconds: f.rollbackWindowSeconds,
        },
        { out: (l) => process.stdout.write(`${l}\n`), env: process.env, startWorker: startWorkerInProcess, untilInterrupted },
      );
      process.exit(code);
    });
}
