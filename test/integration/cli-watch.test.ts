// `siskin watch` against a real nats-server: the release's KV entry and evt.release.* written the way
// the orchestrator does; the real CLI runs in a pseudo-terminal (util-linux `script`) and its screen
// is replayed with a small terminal emulator; plain and --json runs read pipes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness/index.js";
import { ev, scriptRelease, tick, toFirstStep, verdict, type ScriptedRelease } from "../../services/cli/lib/fixtures.test-util.js";
import { screenOf } from "../../services/cli/lib/terminal.test-util.js";
import { cliWorld, startCli, type CliProcess, type CliWorld } from "./cli.test-util.js";

let world: CliWorld;
const now = Date.now();
const STARTUP_MS = 90_000;

beforeAll(async () => {
  world = await cliWorld();
});
afterAll(async () => {
  await world?.stop();
});

/** The orchestrator moves the release on: apply `events`, save to KV, publish what the host emitted. */
async function advance(r: ScriptedRelease, events: Array<{ type: string; data: unknown; now: number }>): Promise<void> {
  const from = r.published.length;
  for (const e of events) r.send(e);
  await world.commit(r, from);
}

const screen = (p: CliProcess) => screenOf(p.stdout());

describe("siskin watch", { timeout: 240_000 }, () => {
  it("in a terminal: redraws the progress bar and verdicts in place, exits 0 when the release is promoted", async () => {
    const r = scriptRelease({ version: "v2.0.0", now });
    const t = toFirstStep(r, now);
    await world.save(r);
    const p = startCli(["watch", r.releaseId, "--nats", world.srv.url], { pty: { cols: 160, rows: 40 }, timeoutMs: 200_000 });
    await waitFor(() => screen(p).includes("  [██░░░░░░░░░░░░░░░░░░░░░░]  10%"), { timeoutMs: STARTUP_MS, what: `the first frame of siskin watch; output so far: ${p.stdout()}` });
    expect(screen(p)[0]).toMatch(/^siskin watch shop\/ratings\/v2\.0\.0 · nats:\/\/127\.0\.0\.1:\d+ · \d\d:\d\d:\d\dZ · Ctrl-C to stop$/);
    expect(screen(p).slice(2)).toEqual([expect.stringMatching(/^shop\/ratings\/v2\.0\.0 {2}step\.analyzing {2}step 1\/3 {2}\d+s ago$/), "  [██░░░░░░░░░░░░░░░░░░░░░░]  10%", "  last: baking step 1 at 10 % for 1 interval(s) (60 s)"]);

    const latency = { ...verdict.fail(), verdict: "pass" as const, canary: 300, threshold: "<= 1.2 × stable (336 ms)", reason: "latency-p99 300 ms ≤ 336 ms" };
    await advance(r, [ev.analysis(t + 60_000, [verdict.pass(), latency], 60_000, r.version), ev.weightsSet(t + 61_000, 50)]);
    await waitFor(() => screen(p).includes("  [████████████░░░░░░░░░░░░]  50%"), { timeoutMs: 30_000, what: "the 50 % frame" });
    expect(screen(p).slice(2)).toEqual([
      expect.stringMatching(/^shop\/ratings\/v2\.0\.0 {2}step\.analyzing {2}step 2\/3 {2}\d+s ago$/),
      "  [████████████░░░░░░░░░░░░]  50%",
      "  ✓ error-rate   pass  canary 0.1 · stable 0.1  error-rate 0.1 % ≤ max 1 %",
      "  ✓ latency-p99  pass  canary 300 · stable 280 · <= 1.2 × stable (336 ms)  latency-p99 300 ms ≤ 336 ms",
      "  last: baking step 2 at 50 % for 1 interval(s) (60 s)",
    ]);

    await advance(r, [
      ev.analysis(t + 121_000, [verdict.pass()], 60_000, r.version),
      ev.weightsSet(t + 122_000, 100),
      ev.analysis(t + 182_000, [verdict.pass()], 60_000, r.version),
      tick(t + 600_000),
    ]);
    const res = await p.done;
    expect(res.code).toBe(0);
    const final = screenOf(res.stdout);
    expect(final.filter((l) => l.startsWith("siskin watch"))).toHaveLength(1); // redrawn in place, not scrolled
    expect(final.slice(2)).toEqual([
      expect.stringMatching(/^shop\/ratings\/v2\.0\.0 {2}promoted {2}step 3\/3 {2}\d+s ago$/),
      "  [████████████████████████] 100%",
      "  ✓ error-rate  pass  canary 0.1 · stable 0.1  error-rate 0.1 % ≤ max 1 %",
      // The reason is cut to the terminal's width on the live screen, and wraps in the closing line.
      "  last: v2.0.0 promoted; rollback window passed; stopping v1.0.0; keeping v2.0.0 and v1.0.0 (revisionHistoryLimit 2), removing older versions' routes, subsets…",
      "  took 10m 3s",
      expect.stringMatching(/^\d\d:\d\d:\d\dZ shop\/ratings\/v2\.0\.0 {2}completed: promoted after 10m 3s {2}— v2\.0\.0 promoted; rollback window passed; stopping v1\.0\.0; keeping v2\.0\.0 and v1\.0\.0 \(revisionHistoryLimit 2\), removing older versions$/),
      "' routes, subsets and VMs",
    ]);
  });

  it("on a pipe: one line per change; --json: the events as JSON lines; both exit 1 when the release rolls back", async () => {
    const r = scriptRelease({ version: "v3.0.0", now });
    const t = toFirstStep(r, now);
    await world.save(r);
    const plain = startCli(["watch", r.releaseId, "--nats", world.srv.url], { timeoutMs: 200_000 });
    const json = startCli(["watch", r.releaseId, "--json"], { env: { SISKIN_NATS_SERVERS: world.srv.url }, timeoutMs: 200_000 });
    await waitFor(() => plain.stdout().includes("step.analyzing") && json.stderr().includes("from now on"), { timeoutMs: STARTUP_MS, what: `both watchers to start; so far: ${plain.stdout()} | ${json.stderr()}` });
    expect(plain.stdout()).toMatch(/^\d\d:\d\d:\d\dZ shop\/ratings\/v3\.0\.0 {2}step\.analyzing {2}step 1\/3 {2}\[█░░░░░░░░░\] {2}10% {2}— baking step 1 at 10 % for 1 interval\(s\) \(60 s\)\n$/);

    await advance(r, [ev.analysis(t + 60_000, [verdict.critical()], 60_000, r.version), ev.weightsSet(t + 61_000, 0)]);
    const [p, j] = await Promise.all([plain.done, json.done]);
    expect(p.code).toBe(1);
    expect(p.stderr).toBe("siskin: release shop/ratings/v3.0.0 ended rolledBack: rolled back to v1.0.0: critical: error-rate 35 % > critical bound 20 %: roll back now\n");
    const lines = p.stdout.trimEnd().split("\n").map((l) => l.slice(10));
    expect(lines).toEqual([
      "shop/ratings/v3.0.0  step.analyzing  step 1/3  [█░░░░░░░░░]  10%  — baking step 1 at 10 % for 1 interval(s) (60 s)",
      "shop/ratings/v3.0.0  step.analyzing → rollingBack  step 1/3  [█░░░░░░░░░]  10%  ✗ error-rate  — rolling back: moving all traffic to v1.0.0",
      "shop/ratings/v3.0.0  rollingBack → rolledBack  step 1/3  [░░░░░░░░░░]   0%  ✗ error-rate  — rolled back to v1.0.0: critical: error-rate 35 % > critical bound 20 %: roll back now",
      "shop/ratings/v3.0.0  completed: rolledBack after 1m 4s  — rolled back to v1.0.0: critical: error-rate 35 % > critical bound 20 %: roll back now",
    ]);
    expect(j.code).toBe(1);
    const events = j.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { type: string; id: string; releaseId: string; data: Record<string, unknown> });
    expect(events.map((e) => [e.type, e.data.to ?? e.data.outcome])).toEqual([
      ["evt.release.progressed", "rollingBack"],
      ["evt.release.progressed", "rolledBack"],
      ["evt.release.completed", "rolledBack"],
    ]);
    expect(events.every((e) => e.releaseId === r.releaseId && e.id.startsWith(`${r.releaseId}:`))).toBe(true);
  });
});
