/** A real Prometheus on 127.0.0.1 with a temp TSDB and config dir. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { findBinary, looksLikePortInUse, makeTempDir, removeTempDir, spawnServer, type ServerProcess } from "./process.js";

/** Files Prometheus reads: `prometheus.yml` and rule files beside it (name → YAML). */
export interface PrometheusFiles {
  /** The whole prometheus.yml. Rule files are referenced by their bare names (`rule_files: [alerts.yml]`). */
  configYaml: string;
  ruleFiles?: Record<string, string>;
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
export async function startPrometheus(opts: PrometheusFiles): Promise<PrometheusServer> {
  const bin = findBinary(["prometheus"], ["/usr/bin/prometheus"]);
  const dir = makeTempDir("prometheus");
  const configDir = join(dir, "config");
  let port = 0;
  let proc: ServerProcess | undefined;
  try {
    await mkdir(configDir);
    await writeFiles(configDir, opts);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        proc = await spawnServer({
          name: "prometheus",
          bin,
          args: [
            `--config.file=${join(configDir, "prometheus.yml")}`,
            `--storage.tsdb.path=${join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--web.enable-lifecycle",
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
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    configDir,
    async stop() {
      await proc?.stop();
      proc = undefined;
      await removeTempDir(dir);
    },
    async reload(files = {}) {
      await writeFiles(configDir, files);
      const res = await fetch(`${url}/-/reload`, { method: "POST" });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`prometheus at ${url} refused the reload (HTTP ${res.status}): ${body.trim()}`);
    },
  };
}
