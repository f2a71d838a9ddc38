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
