/**
 * A JetStream cluster of real nats-servers on loopback (routes between them, one store dir each), for
 * the chaos soak: each node can be SIGKILLed and started again on the same ports with the same store.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { natsServerBinary } from "./nats-server.js";
import { serverDir, spawnServer, type ServerProcess } from "./process.js";
import { waitFor } from "./wait.js";

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** Nodes (default 3). */
  size?: number;
  /** Directory for configs, stores and logs, kept after stop (default: a temp dir, removed). */
  dir?: string;
  /** JetStream memory cap per node (default "64MB"). */
  maxMemory?: string;
  /** JetStream file store cap per node (default "1GB"). */
  maxStore?: string;
}

/** One node's ports. */
interface NodePorts {
  client: number;
  monitor: number;
  cluster: number;
}

/** A running cluster. */
export interface NatsCluster {
  /** Client URLs of every node, in node order. */
  urls: string[];
  /** Monitoring base URL of each node. */
  monitorUrls: string[];
  /** Whether node `i` runs now. */
  isUp(i: number): boolean;
  /** SIGKILL node `i` (its store stays). */
  kill(i: number): Promise<void>;
  /** Start node `i` again; resolves once it answers `/healthz` (JetStream caught up with its peers). */
  start(i: number): Promise<void>;
  /** The last lines of node `i`'s output. */
  logs(i: number): string;
  /** Stop every node and remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

function configText(name: string, ports: NodePorts, all: NodePorts[], storeDir: string, o: NatsClusterOptions): string {
  return [
    `server_name: ${name}`,
    `listen: "127.0.0.1:${ports.client}"`,
    `http: "127.0.0.1:${ports.monitor}"`,
    "jetstream {",
    `  store_dir: ${JSON.stringify(storeDir)}`,
    `  max_memory_store: ${o.maxMemory ?? "64MB"}`,
    `  max_file_store: ${o.maxStore ?? "1GB"}`,
    "}",
    "cluster {",
    "  name: siskin-soak",
    `  listen: "127.0.0.1:${ports.cluster}"`,
    `  routes: [${all.map((p) => `"nats://127.0.0.1:${p.cluster}"`).join(", ")}]`,
    "}",
    "",
  ].join("\n");
}

/** Start the cluster; resolves once every node runs JetStream and the meta group has a leader. */
export async function startNatsCluster(o: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = o.size ?? 3;
  const bin = natsServerBinary();
  const dir = serverDir("nats-cluster", o.dir);
  const ports: NodePorts[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), monitor: await freePort(), cluster: await freePort() });
  const procs: Array<ServerProcess | undefined> = [];
  const names = ports.map((_, i) => `soak-nats-${i}`);
  for (const [i, p] of ports.entries()) {
    const nodeDir = join(dir.path, names[i] as string);
    mkdirSync(nodeDir, { recursive: true });
    writeFileSync(join(nodeDir, "nats.conf"), configText(names[i] as string, p, ports, join(nodeDir, "js"), o));
  }
  const launch = async (i: number, readyPath: string): Promise<ServerProcess> => {
    const nodeDir = join(dir.path, names[i] as string);
    const p = ports[i] as NodePorts;
    return spawnServer({
      name: `nats-server ${names[i]}`,
      bin,
      args: ["-c", join(nodeDir, "nats.conf")],
      readyUrl: `http://127.0.0.1:${p.monitor}${readyPath}`,
      logPath: join(nodeDir, "nats-server.log"),
      readyTimeoutMs: 60_000,
    });
  };
  let stopped = false;
  const stopAll = async (): Promise<void> => {
    stopped = true;
    await Promise.all(procs.map((p) => p?.stop()));
    await dir.release();
  };
  try {
    const started = await Promise.all(ports.map((_, i) => launch(i, "/healthz?js-enabled-only=true")));
    procs.push(...started);
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports[0]?.monitor}/jsz`, { signal: AbortSignal.timeout(2_000) });
        const jsz = (await res.json()) as { meta_cluster?: { leader?: string; cluster_size?: number } };
        return (jsz.meta_cluster?.leader ?? "") !== "" && jsz.meta_cluster?.cluster_size === size;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the JetStream meta group of ${size} nats-servers to elect a leader` },
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    urls: ports.map((p) => `nats://127.0.0.1:${p.client}`),
    monitorUrls: ports.map((p) => `http://127.0.0.1:${p.monitor}`),
    isUp: (i) => procs[i] !== undefined,
    async kill(i) {
      const p = procs[i];
      procs[i] = undefined;
      await p?.stop({ kill: true });
    },
    async start(i) {
      if (stopped) throw new Error("nats cluster: stopped; start a new one");
      if (procs[i] !== undefined) return;
      procs[i] = await launch(i, "/healthz");
    },
    logs: (i) => procs[i]?.logs() ?? "",
    stop: stopAll,
  };
}
