import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReplay } from "./replay.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const trace = (name: string) => join(ROOT, "test/fixtures/traces", name);
const read = (p: string) => readFileSync(p, "utf8");

describe("siskin replay (runReplay)", () => {
  it("prints the timeline and the outcome", () => {
    const out = runReplay({ file: trace("latency-regression.json"), json: false, color: false }, read);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("replay shop/ratings/v1.1.0: stable v1.0.0, steps 10 → 50 → 100 %, interval 30 s");
    expect(out.stdout).toMatch(/95s +step\.analyzing → rollingBack +50 % +evt\.analysis\.completed/);
    expect(out.stdout).toMatch(/ fail +latency-p99 420 ms > 1\.2 × stable 280 ms = 336 ms/);
    expect(out.stdout).toContain("outcome: rolledBack");
  });

  it("the VM template goes through the provisioner's preflight: a template it would refuse fails the release before any traffic moves", () => {
    const out = runReplay({ file: trace("preflight-fails.json"), json: true, expect: "failed", color: false }, read);
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout) as { reason: string; commands: Array<{ subject: string }> };
    expect(r.reason).toMatch(/^cannot provision v1\.1\.0, no traffic was shifted: BINDING_NOT_MESH_COMPATIBLE: .*; ISTIO_RESERVED_PORT: interface "default" declares port 15001/);
    expect(r.commands.map((c) => c.subject)).not.toContain("cmd.traffic.set_weights");
  });

  it("several releases in one trace: each release's outcome, then the newest's", () => {
    const out = runReplay({ file: trace("supersede.json"), json: false, color: false }, read);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/40s +v1\.1\.0 step\.analyzing → rollingBack +50 % +siskin\.superseded/);
    expect(out.stdout).toContain("release v1.1.0: superseded (state superseded): superseded by shop/ratings/v1.2.0; v1.1.0 taken out of traffic\n");
    expect(out.stdout).toContain("release v1.2.0: promoted (state succeeded)");
    expect(out.stdout).toContain("outcome: promoted");
  });

  it("--expect: exit 0 when it matches, 1 when it differs (the report is still printed)", () => {
    expect(runReplay({ file: trace("healthy.json"), json: true, expect: "promoted", color: false }, read).code).toBe(0);
    const bad = runReplay({ file: trace("healthy.json"), json: true, expect: "rolledBack", color: false }, read);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("replay: outcome promoted, expected rolledBack\n");
    expect(JSON.parse(bad.stdout).outcome).toBe("promoted");
  });

  it.each([
    [{ expect: "great" }, 2, '--expect must be one of promoted, rolledBack, aborted, superseded, failed, unfinished, got "great"'],
    [{ file: "/nonexistent/trace.json" }, 1, "cannot read trace /nonexistent/trace.json"],
  ])("refuses %j", (over, code, text) => {
    const out = runReplay({ file: trace("healthy.json"), json: false, color: false, ...over }, read);
    expect(out.code).toBe(code);
    expect(out.stderr).toContain(text);
  });

  it("an invalid trace names the problem", () => {
    expect(() => runReplay({ file: "t.json", json: false, color: false }, () => JSON.stringify({ version: "v1", events: [] }))).toThrow(/t.json is not a valid replay trace/);
  });
});

describe("siskin replay (the real CLI)", () => {
  it("replays healthy.json with --json and exits 0", () => {
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "services/cli/main.ts", "replay", "test/fixtures/traces/healthy.json", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { outcome: string; timeline: Array<{ to: string }>; commands: Array<{ subject: string; msgId: string }> };
    expect(out.outcome).toBe("promoted");
    expect(out.timeline.at(-1)?.to).toBe("succeeded");
    expect(out.commands[0]).toMatchObject({ subject: "cmd.vm.provision", msgId: "shop/ratings/v1.1.0:0" });
  });
});
