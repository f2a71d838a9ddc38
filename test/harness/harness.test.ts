import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createConnection } from "node:net";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startAlertmanager, startNats, startPrometheus, waitFor } from "./index.js";
import { findBinary } from "../../sim/world/process.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("ports and waitFor", () => {
  it("freePort gives a loopback port", async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(65536);
  });

  it("waitFor returns the first truthy probe value", async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : undefined), { timeoutMs: 1000, intervalMs: 1, what: "n" })).resolves.toBe(3);
  });

  it("waitFor names what it waited for on timeout and quotes the last error", async () => {
    await expect(
      waitFor(
        () => {
          throw new Error("boom");
        },
        { timeoutMs: 30, intervalMs: 5, what: "the moon" },
      ),
    ).rejects.toThrow(/waiting for the moon; last error: boom/);
  });

  it("a missing binary says to run scripts/setup.sh", () => {
    expect(() => findBinary(["siskin-no-such-server"])).toThrow(/bash scripts\/setup\.sh/);
  });
});

describe("startNats", () => {
  it("starts JetStream, keeps stream data across restart and crash, stops and cleans up", async () => {
    const srv = await startNats();
    cleanups.push(() => srv.stop());
    expect(srv.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const cfg = await import("node:fs/promises").then((fs) => fs.readFile(srv.configPath, "utf8"));
    expect(cfg).toContain("max_memory_store: 256MB");
    expect(cfg).toContain("max_file_store: 1GB");

    let nc = await connect({ servers: srv.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "H", subjects: ["h.>"] });
    await jetstream(nc).publish("h.one", "1");
    await nc.close();

    await srv.restart();
    nc = await connect({ servers: srv.url });
    expect((await (await jetstreamManager(nc)).streams.info("H")).state.messages).toBe(1);
    await jetstream(nc).publish("h.two", "2");
    await nc.close();

    await srv.restart({ kill: true });
    nc = await connect({ servers: srv.url });
    expect((await (await jetstreamManager(nc)).streams.info("H")).state.messages).toBe(2);
    await nc.close();

    const dir = srv.storeDir;
    await srv.stop();
    expect(existsSync(dir)).toBe(false);
    expect(await portRefuses(srv.port)).toBe(true);
    await srv.stop(); // idempotent
    await expect(srv.restart()).rejects.toThrow(/was stopped/);
  });

  it("applies extra config and caps", async () => {
    const srv = await startNats({ maxMemory: "64MB", maxStore: "128MB", extraConfig: "max_payload: 65536" });
    cleanups.push(() => srv.stop());
    const varz = (await (await fetch(`${srv.monitorUrl}/varz`)).json()) as {
      max_payload: number;
      jetstream: { config: { max_memory: number; max_storage: number } };
    };
    expect(varz.max_payload).toBe(65536);
    expect(varz.jetstream.config.max_memory).toBe(64 * 1024 * 1024);
    expect(varz.jetstream.config.max_storage).toBe(128 * 1024 * 1024);
  });

  it("a broken config fails fast with the server's own words", async () => {
    await expect(startNats({ extraConfig: "this is { not valid" })).rejects.toThrow(/nats-server exited before it was ready[\s\S]*output/);
  });
});

describe("cleanup at process exit", () => {
  it("a test process that exits without stop() leaves no server and no temp dir behind", async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "siskin-exit-test-"));
    try {
      const script = join(dir, "leak.mts");
      writeFileSync(
        script,
        `import { startNats } from ${JSON.stringify(join(here, "index.ts"))};\n` +
          "const s = await startNats();\nconsole.log(JSON.stringify({ port: s.port, storeDir: s.storeDir }));\nprocess.exit(3);\n",
      );
      const run = promisify(execFile)(process.execPath, ["--import", "tsx", script], { cwd: join(here, "..", "..") });
      const err = (await run.catch((e: unknown) => e)) as { code: number; stdout: string };
      expect(err.code).toBe(3);
      const { port, storeDir } = JSON.parse(err.stdout.trim()) as { port: number; storeDir: string };
      expect(existsSync(dirname(storeDir))).toBe(false);
      await waitFor(async () => ((await portRefuses(port)) ? true : undefined), { timeoutMs: 5000, what: "the leaked nats-server to die" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("startPrometheus", () => {
  it("starts with rule files, reloads new rules, stops", async () => {
    const prom = await startPrometheus({
      configYaml: "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [a.yml]\n",
      ruleFiles: { "a.yml": "groups:\n- name: g\n  rules:\n  - record: siskin:one\n    expr: vector(1)\n" },
    });
    cleanups.push(() => prom.stop());
    const ruleNames = async () => {
      const body = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
        data: { groups: Array<{ rules: Array<{ name: string }> }> };
      };
      return body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    };
    expect(await ruleNames()).toEqual(["siskin:one"]);
    await prom.reload({ ruleFiles: { "a.yml": "groups:\n- name: g\n  rules:\n  - record: siskin:two\n    expr: vector(2)\n" } });
    expect(await ruleNames()).toEqual(["siskin:two"]);
    await expect(prom.reload({ configYaml: "global: [not, a, map]\n" })).rejects.toThrow(/refused the reload/);
    await prom.stop();
    expect(await portRefuses(prom.port)).toBe(true);
  });
});

describe("startAlertmanager", () => {
  it("starts without clustering, answers the v2 API, stops", async () => {
    const am = await startAlertmanager({
      configYaml: "route:\n  receiver: none\nreceivers:\n- name: none\n",
    });
    cleanups.push(() => am.stop());
    const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as { cluster: { status: string } };
    expect(status.cluster.status).toBe("disabled");
    await am.stop();
    expect(await portRefuses(am.port)).toBe(true);
  });
});
