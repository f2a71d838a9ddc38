// `siskin sim cluster`: serves the simulated Kubernetes API (with the KubeVirt lifecycle controller) on
// 127.0.0.1 and writes a kubeconfig for kubectl and client-node. Runs until SIGINT/SIGTERM.
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { startSimCluster } from "../../cluster/index.js";

/** Options of `siskin sim cluster`. */
interface SimClusterFlags {
  port: number;
  host: string;
  kubeconfig: string;
  load?: string;
  historyLimit?: number;
  tickMs: number;
  verbose?: boolean;
}

const int = (what: string) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${what} must be a non-negative integer, got "${raw}"`);
  return n;
};

/** The `sim` command group, created by the first helper that needs it. */
function simGroup(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === "sim");
  if (existing) return existing;
  return program.command("sim").description("simulated world for local runs and tests (cluster, mesh, ...)");
}

/** Adds `sim cluster` to the program. */
export function register(program: Command): void {
  simGroup(program)
    .command("cluster")
    .description("Serve a simulated Kubernetes API with the KubeVirt VM lifecycle (docs/sim-cluster.md); Ctrl-C stops")
    .option("--port <port>", "port to listen on (0 = any free port)", int("--port"), 18080)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--kubeconfig <path>", "where to write the kubeconfig", "out/kubeconfig")
    .option("--load <dir>", "apply every YAML/JSON manifest in this directory at start")
    .option("--history-limit <n>", "changes kept for watch resumption (older resourceVersions get 410 Gone)", int("--history-limit"))
    .option("--tick-ms <ms>", "how often the lifecycle controller advances, in real milliseconds", int("--tick-ms"), 100)
    .option("-v, --verbose", "log every HTTP request to stderr")
    .action(async (flags: SimClusterFlags) => {
      const opts: Parameters<typeof startSimCluster>[0] = { port: flags.port, host: flags.host, tickMs: flags.tickMs };
      if (flags.load) opts.loadDir = resolve(flags.load);
      if (flags.historyLimit !== undefined) opts.historyLimit = flags.historyLimit;
      if (flags.verbose) opts.log = (line) => process.stderr.write(`${line}\n`);
      const sim = await startSimCluster(opts);
      const kubeconfig = resolve(flags.kubeconfig);
      await mkdir(dirname(kubeconfig), { recursive: true });
      await sim.writeKubeconfig(kubeconfig);
      process.stdout.write(`sim-cluster serving ${sim.url}\nkubeconfig: ${kubeconfig}\ntry: kubectl --kubeconfig ${kubeconfig} api-resources\n`);
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void sim.close().then(done);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
