// `siskin sim up`: start the whole simulated world (servers, simulators, BookInfo, every worker) and keep
// it running until Ctrl-C, on fixed ports by default so URLs stay the same between runs.
import { Command, InvalidArgumentError } from "commander";
import { startWorld, WorkerNames, type WorkerName, type WorldPorts } from "../../world/index.js";
import { exploreLines } from "../demo/render.js";
import { startWorkerInProcess, untilInterrupted } from "./demo.js";

/** The ports `sim up` uses unless `--free-ports`: the usual ones of each server. */
export const simUpPorts: Required<WorldPorts> = {
  nats: 4222,
  natsMonitor: 8222,
  prometheus: 9090,
  alertmanager: 9093,
  cluster: 18080,
  mesh: 9464,
  slack: 18090,
  releaseTrigger: 8082,
  alertIngest: 8081,
  approvalGateway: 8083,
  dashboard: 8084,
};

const workerList = (raw: string): WorkerName[] => {
  const names = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = names.filter((n) => !(WorkerNames as readonly string[]).includes(n));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown worker ${bad.join(", ")}; choose from ${WorkerNames.join(", ")}`);
  return names as WorkerName[];
};

interface SimUpFlags {
  dataDir: string;
  freePorts?: boolean;
  /** A list, or false for --no-workers. */
  workers?: WorkerName[] | false;
  logLevel: string;
}

function simGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === "sim") ?? program.command("sim").description("The simulated world: cluster, mesh, Slack, Git");
}

/** Adds `sim up` to the program. */
export function register(program: Command): void {
  simGroup(program)
    .command("up")
    .description("start the whole simulated world (NATS, Prometheus, Alertmanager, sim-cluster with BookInfo, sim-mesh, sim-slack, every worker) until Ctrl-C")
    .option("--data-dir <dir>", "where the world writes its kubeconfig and server data", "out")
    .option("--free-ports", "use free ports instead of 4222, 9090, 9093, 18080, 9464, 18090, 8081-8083")
    .option("--workers <a,b>", "start only these workers", workerList)
    .option("--no-workers", "start no worker (run them yourself with `siskin serve`)")
    .option("--log-level <level>", "log level of the in-process workers", "info")
    .action(async (f: SimUpFlags) => {
      const world = await startWorld({
        dataDir: f.dataDir,
        ...(f.freePorts === true ? {} : { ports: simUpPorts }),
        ...(f.workers === false ? {} : { startWorker: startWorkerInProcess }),
        ...(Array.isArray(f.workers) ? { workers: f.workers } : {}),
        logLevel: f.logLevel,
        onProgress: (l) => process.stdout.write(`world: ${l}\n`),
      });
      const lines = exploreLines({
        prometheusUrl: world.urls.prometheus,
        alertmanagerUrl: world.urls.alertmanager,
        kubeconfigPath: world.kubeconfigPath,
        slackUrl: world.urls.slack,
        natsUrl: world.urls.nats,
        releaseTriggerUrl: world.urls.releaseTrigger,
        meshUrl: world.urls.mesh,
        dashboardUrl: world.urls.dashboard,
      }).map((l) => l.replace("(--keep)", "(siskin sim up)"));
      for (const l of lines) process.stdout.write(`${l}\n`);
      process.stdout.write(
        `\nRelease ratings v2.0.0:\n  siskin sim git push-tag --url ${world.urls.githubWebhook} --secret ${world.secrets.githubWebhook} --repository bookinfo/ratings --tag v2.0.0\n` +
          `Play the whole story against this world in another terminal:\n  SISKIN_NATS_SERVERS=${world.urls.nats} SISKIN_KUBECONFIG=${world.kubeconfigPath} SISKIN_SIM_SLACK_URL=${world.urls.slack} \\\n` +
          `  SISKIN_GITHUB_WEBHOOK_URL=${world.urls.githubWebhook} SISKIN_GITHUB_WEBHOOK_SECRET=${world.secrets.githubWebhook} SISKIN_PROMETHEUS_URL=${world.urls.prometheus} siskin demo --external\n`,
      );
      await untilInterrupted();
      process.stdout.write("stopping the world...\n");
      await world.stop();
      process.exit(0);
    });
}
