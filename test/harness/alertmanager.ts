/** A real Alertmanager on 127.0.0.1, clustering off, with a temp storage dir. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { findBinary, looksLikePortInUse, makeTempDir, removeTempDir, spawnServer, type ServerProcess } from "./process.js";

/** A running Alertmanager. */
export interface AlertmanagerServer {
  /** Base URL, `http://127.0.0.1:<port>` (API under `/api/v2`). */
  url: string;
  port: number;
  /** Stop and remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Start Alertmanager with the given alertmanager.yml; resolves once `/-/ready` answers 200.
 * `--cluster.listen-address=` is empty, or it would bind gossip on 0.0.0.0:9094.
 */
export async function startAlertmanager(opts: { configYaml: string }): Promise<AlertmanagerServer> {
  const bin = findBinary(["prometheus-alertmanager", "alertmanager"], ["/usr/bin/prometheus-alertmanager"]);
  const dir = makeTempDir("alertmanager");
  const configPath = join(dir, "alertmanager.yml");
  let port = 0;
  let proc: ServerProcess | undefined;
  try {
    await writeFile(configPath, opts.configYaml);
    await mkdir(join(dir, "data"));
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        proc = await spawnServer({
          name: "alertmanager",
          bin,
          args: [
            `--config.file=${configPath}`,
            `--storage.path=${join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--cluster.listen-address=",
            "--log.level=warn",
          ],
          readyUrl: `http://127.0.0.1:${port}/-/ready`,
        });
        break;
      } catch (err) {
        if (attempt >= 3 || !looksLikePortInUse(err)) throw err;
      }
    }
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await proc?.stop();
      proc = undefined;
      await removeTempDir(dir);
    },
  };
}
