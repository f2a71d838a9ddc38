/** A real nats-server with JetStream on 127.0.0.1, configured by a generated file. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { findBinary, onFreePorts, serverDir, spawnServer, type ServerProcess } from "./process.js";

/** Options of {@link startNats}. */
export interface NatsOptions {
  /** JetStream memory cap, nats size syntax (default "256MB"). Uncapped JetStream reserves 75% of RAM. */
  maxMemory?: string;
  /** JetStream file store cap (default "1GB"). */
  maxStore?: string;
  /** Appended verbatim to the config file (accounts, authorization, limits...). */
  extraConfig?: string;
  /** Directory for the config and the JetStream store, kept after stop (default: a temp dir, removed). */
  dir?: string;
  /** Client port (default: a free one). */
  port?: number;
  /** Monitoring port (default: a free one). */
  monitorPort?: number;
}

/** A running nats-server. */
export interface NatsServer {
  /** Client URL, `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** HTTP monitoring base URL (`/healthz`, `/varz`, `/jsz`). */
  monitorUrl: string;
  /** JetStream store directory (kept across {@link NatsServer.restart}). */
  storeDir: string;
  configPath: string;
  /** Stop the server and remove its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stop and start again on the same port with the same store (a crash test with `{kill: true}`:
   * SIGKILL instead of SIGTERM). Resolves when JetStream is ready again.
   */
  restart(opts?: { kill?: boolean }): Promise<void>;
}

/** The nats-server binary (Debian installs it in /usr/sbin). */
export function natsServerBinary(): string {
  return findBinary(["nats-server"], ["/usr/sbin/nats-server"]);
}

function configText(port: number, monitorPort: number, storeDir: string, opts: NatsOptions): string {
  return [
    `listen: "127.0.0.1:${port}"`,
    `http: "127.0.0.1:${monitorPort}"`,
    "jetstream {",
    `  store_dir: ${JSON.stringify(storeDir)}`,
    `  max_memory_store: ${opts.maxMemory ?? "256MB"}`,
    `  max_file_store: ${opts.maxStore ?? "1GB"}`,
    "}",
    opts.extraConfig ?? "",
    "",
  ].join("\n");
}

/** Start nats-server with JetStream; resolves once `/healthz?js-enabled-only=true` answers 200. */
export async function startNats(opts: NatsOptions = {}): Promise<NatsServer> {
  const bin = natsServerBinary();
  const dir = serverDir("nats", opts.dir);
  const storeDir = join(dir.path, "js");
  const configPath = join(dir.path, "nats.conf");
  const logPath = opts.dir === undefined ? undefined : join(dir.path, "nats-server.log");
  let port = 0;
  let monitorPort = 0;
  let proc: ServerProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<ServerProcess> =>
    spawnServer({
      name: "nats-server",
      bin,
      args: ["-c", configPath],
      readyUrl: `http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`,
      ...(logPath === undefined ? {} : { logPath }),
    });

  try {
    proc = await onFreePorts(
      2,
      [opts.port, opts.monitorPort],
      async ([p, m]) => {
        port = p as number;
        monitorPort = m as number;
        await writeFile(configPath, configText(port, monitorPort, storeDir, opts));
        return launch();
      },
      freePort,
    );
  } catch (err) {
    await dir.release();
    throw err;
  }

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    storeDir,
    configPath,
    async stop() {
      stopped = true;
      await proc?.stop();
      proc = undefined;
      await dir.release();
    },
    async restart(restartOpts = {}) {
      if (stopped) throw new Error(`nats-server on port ${port} was stopped; start a new one instead of restart()`);
      await proc?.stop(restartOpts);
      proc = undefined;
      proc = await launch();
    },
  };
}
