/** A real Alertmanager on 127.0.0.1, clustering off, with its storage dir (a temp dir unless one is given). */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { findBinary, onFreePorts, serverDir, spawnServer, type ServerProcess } from "./process.js";

/** A running Alertmanager. */
export interface AlertmanagerServer {
  /** Base URL, `http://127.0.0.1:<port>` (API under `/api/v2`). */
  url: string;
  port: number;
  /** Stop and remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startAlertmanager}. */
export interface AlertmanagerOptions {
  configYaml: string;
  /** Directory for config and storage, kept after stop (default: a temp dir, removed). */
  dir?: string;
  /** Port (default: a free one). */
  port?: number;
}

/**
 * Start Alertmanager with the given alertmanager.yml; resolves once `/-/ready` answers 200.
 * `--cluster.listen-address=` is empty, or it would bind gossip on 0.0.0.0:9094.
 */
export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerServer> {
  const bin = findBinary(["prometheus-alertmanager", "alertmanager"], ["/usr/bin/prometheus-alertmanager"]);
  const dir = serverDir("alertmanager", opts.dir);
  const configPath = join(dir.path, "alertmanager.yml");
  let port = 0;
  let proc: ServerProcess | undefined;
  try {
    await writeFile(configPath, opts.configYaml);
    await mkdir(join(dir.path, "data"), { recursive: true });
    proc = await onFreePorts(
      1,
      [opts.port],
      async ([p]) => {
        port = p as number;
        return spawnServer({
          name: "alertmanager",
          bin,
          args: [
            `--config.file=${configPath}`,
            `--storage.path=${join(dir.path, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--cluster.listen-address=",
            "--log.level=warn",
          ],
          readyUrl: `http://127.0.0.1:${port}/-/ready`,
          ...(opts.dir === undefined ? {} : { logPath: join(dir.path, "alertmanager.log") }),
        });
      },
      freePort,
    );
  } catch (err) {
    await dir.release();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await proc?.stop();
      proc = undefined;
      await dir.release();
    },
  };
}
