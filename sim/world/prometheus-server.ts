/** A real Prometheus on 127.0.0.1 with its TSDB and config dir (a temp dir unless one is given). */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { findBinary, onFreePorts, serverDir, spawnServer, type ServerProcess } from "./process.js";

/** Files Prometheus reads: `prometheus.yml` and rule files beside it (name → YAML). */
export interface PrometheusFiles {
  /** The whole prometheus.yml. Rule files are referenced by their bare names (`rule_files: [alerts.yml]`). */
  configYaml: string;
  ruleFiles?: Record<string, string>;
}

/** Where {@link startPrometheus} runs. */
export interface PrometheusPlace {
  /** Directory for config and TSDB, kept after stop (default: a temp dir, removed). */
  dir?: string;
  /** Port (default: a free one). */
  port?: number;
}

/** A running Prometheus. */
export interface PrometheusServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Directory holding prometheus.yml and the rule files. */
  configDir: string;
  /** Stop and remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Rewrite the given files (if any), then `POST /-/reload`; throws when Prometheus refuses the config. */
  reload(files?: Partial<PrometheusFiles>): Promise<void>;
}

async function writeFiles(dir: string, files: Partial<PrometheusFiles>): Promise<void> {
  if (files.configYaml !== undefined) await writeFile(join(dir, "prometheus.yml"), files.configYaml);
  for (const [name, text] of Object.entries(files.ruleFiles ?? {})) {
    if (name.includes("/") || name.startsWith(".")) {
      throw new Error(`startPrometheus: rule file name "${name}" must be a bare file name (no "/" and no leading ".")`);
    }
    await writeFile(join(dir, name), text);
  }
}

/** Start Prometheus with `--web.enable-lifecycle`; resolves once `/-/ready` answers 200. */
export async function startPrometheus(opts: PrometheusFiles & PrometheusPlace): Promise<PrometheusServer> {
  const bin = findBinary(["prometheus"], ["/usr/bin/prometheus"]);
  const dir = serverDir("prometheus", opts.dir);
  const configDir = join(dir.path, "config");
  let port = 0;
  let proc: ServerProcess | undefined;
  try {
    await mkdir(configDir, { recursive: true });
    await writeFiles(configDir, opts);
    proc = await onFreePorts(
      1,
      [opts.port],
      async ([p]) => {
        port = p as number;
        return spawnServer({
          name: "prometheus",
          bin,
          args: [
            `--config.file=${join(configDir, "prometheus.yml")}`,
            `--storage.tsdb.path=${join(dir.path, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--web.enable-lifecycle",
            "--log.level=warn",
          ],
          readyUrl: `http://127.0.0.1:${port}/-/ready`,
          ...(opts.dir === undefined ? {} : { logPath: join(dir.path, "prometheus.log") }),
        });
      },
      freePort,
    );
  } catch (err) {
    await dir.release();
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    configDir,
    async stop() {
      await proc?.stop();
      proc = undefined;
      await dir.release();
    },
    async reload(files = {}) {
      await writeFiles(configDir, files);
      const res = await fetch(`${url}/-/reload`, { method: "POST" });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`prometheus at ${url} refused the reload (HTTP ${res.status}): ${body.trim()}`);
    },
  };
}
