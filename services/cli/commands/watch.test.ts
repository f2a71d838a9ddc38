import { afterEach, describe, expect, it, vi } from "vitest";
import { ev, fakeFeed, memoryStore, scriptRelease, T0, toFirstStep, toPromoted, verdict } from "../lib/fixtures.test-util.js";
import { screenOf } from "../lib/terminal.test-util.js";
import { INTERRUPTED_EXIT, runWatch, type WatchDeps, type WatchOptions } from "./watch.js";

const base: WatchOptions = { untilDone: false, json: false, color: false, waitStartMs: 15_000 };

function harness(store: WatchDeps["store"], o: { tty?: boolean; signal?: AbortSignal } = {}) {
  const feed = fakeFeed();
  let out = "";
  let err = "";
  const deps: WatchDeps = {
    store,
    openFeed: async () => feed,
    out: (s) => (out += s),
    err: (s) => (err += s),
    now: () => T0 + 125_000,
    tty: o.tty === true ? { columns: () => 120, rows: () => undefined } : null,
    refreshMs: 0,
    header: "siskin watch test",
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  };
  return { feed, deps, out: () => out, err: () => err, waiting: () => vi.waitFor(() => expect(feed.waiting()).toBe(true), { timeout: 5000 }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("runWatch on a non-terminal: one line per change", () => {
  it("prints the state from KV, then a line per progress event, and exits 0 when the release is promoted", async () => {
    const r = scriptRelease();
    const t = toFirstStep(r);
    const seen = r.published.length;
    const h = harness(memoryStore([r]));
    const done = runWatch({ ...base, releaseId: r.releaseId }, h.deps);
    await h.waiting();
    toPromoted(r, t);
    h.feed.push(...r.releaseEvents(seen));
    const res = await done;
    expect(res).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(h.feed.stopped).toBe(true);
    expect(h.out().split("\n")).toEqual([
      "12:00:03Z shop/ratings/v1.1.0  step.analyzing  step 1/3  [█░░░░░░░░░]  10%  — baking step 1 at 10 % for 1 interval(s) (60 s)",
      "12:01:03Z shop/ratings/v1.1.0  step.analyzing → step.shifting  step 2/3  [█░░░░░░░░░]  10%  ✓ error-rate  — step 1 passed at 10 %; next 50 %; shifting canary v1.1.0 to 50 %",
      "12:01:04Z shop/ratings/v1.1.0  step.shifting → step.analyzing  step 2/3  [█████░░░░░]  50%  ✓ error-rate  — baking step 2 at 50 % for 1 interval(s) (60 s)",
      "12:02:04Z shop/ratings/v1.1.0  step.analyzing → step.shifting  step 3/3  [█████░░░░░]  50%  ✓ error-rate  — step 2 passed at 50 %; next 100 %; shifting canary v1.1.0 to 100 %",
      "12:02:05Z shop/ratings/v1.1.0  step.shifting → step.analyzing  step 3/3  [██████████] 100%  ✓ error-rate  — baking step 3 at 100 % for 1 interval(s) (60 s)",
      "12:03:05Z shop/ratings/v1.1.0  step.analyzing → finalizing  step 3/3  [██████████] 100%  ✓ error-rate  — promoted: v1.1.0 is the stable version; v1.0.0 stays up for 5 min",
      "12:09:45Z shop/ratings/v1.1.0  finalizing → succeeded  step 3/3  [██████████] 100%  ✓ error-rate  — v1.1.0 promoted; rollback window passed; stopping v1.0.0; keeping v1.1.0 and v1.0.0 (revisionHistoryLimit 2), removing older versions' routes, subsets and VMs",
      "12:09:45Z shop/ratings/v1.1.0  completed: promoted after 9m 45s  — v1.1.0 promoted; rollback window passed; stopping v1.0.0; keeping v1.1.0 and v1.0.0 (revisionHistoryLimit 2), removing older versions' routes, subsets and VMs",
      "",
    ]);
  });

  it("exits 1 naming the outcome when the release rolls back", async () => {
    const r = scriptRelease();
    const t = toFirstStep(r);
    const seen = r.published.length;
    const h = harness(memoryStore([r]));
    const done = runWatch({ ...base, releaseId: r.releaseId }, h.deps);
    await h.waiting();
    r.send(ev.analysis(t + 60_000, [verdict.critical()]));
    r.send(ev.weightsSet(t + 61_000, 0));
    h.feed.push(...r.releaseEvents(seen));
    const res = await done;
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("release shop/ratings/v1.1.0 ended rolledBack: rolled back to v1.0.0: critical: error-rate 35 % > critical bound 20 %: roll back now\n");
    expect(h.out()).toContain("step.analyzing → rollingBack  step 1/3  [█░░░░░░░░░]  10%  ✗ error-rate  — rolling back: moving all traffic to v1.0.0");
    expect(h.out()).toContain("completed: rolledBack after 1m 4s");
  });

  it("a release that already finished is printed and ends at once", async () => {
    const r = scriptRelease();
    toPromoted(r, toFirstStep(r));
    const h = harness(memoryStore([r]));
    const res = await runWatch({ ...base, releaseId: r.releaseId }, h.deps);
    expect(res.code).toBe(0);
    expect(h.out()).toBe("12:09:45Z shop/ratings/v1.1.0  completed: promoted after 9m 45s  — v1.1.0 promoted; rollback window passed; stopping v1.0.0; keeping v1.1.0 and v1.0.0 (revisionHistoryLimit 2), removing older versions' routes, subsets and VMs\n");
    expect(h.feed.stopped).toBe(true);
  });

  it("without an id follows every live release; --until-done exits when all have finished (1 when one did not promote)", async () => {
    const a = scriptRelease();
    const ta = toFirstStep(a);
    const b = scriptRelease({ version: "v1.2.0", now: T0 + 10_000 });
    const seenA = a.published.length;
    const seenB = b.published.length;
    const h = harness(memoryStore([a, b]));
    const done = runWatch({ ...base, untilDone: true }, h.deps);
    await h.waiting();
    expect(h.out().split("\n").map((l) => l.slice(10).split("  ").slice(0, 2).join(" "))).toEqual(["shop/ratings/v1.2.0 provisioning", "shop/ratings/v1.1.0 step.analyzing", ""]);
    toPromoted(a, ta);
    b.send({ type: "evt.vm.provision_failed", data: { version: "v1.2.0", retryable: false, problems: [{ code: "IMAGE_MISSING", message: "image tag v1.2.0 not found", fix: "push the image" }] }, now: T0 + 20_000 });
    h.feed.push(...a.releaseEvents(seenA), ...b.releaseEvents(seenB));
    const res = await done;
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("release shop/ratings/v1.2.0 ended failed: cannot provision v1.2.0, no traffic was shifted: IMAGE_MISSING: image tag v1.2.0 not found (fix: push the image)\n");
    expect(h.out()).toContain("shop/ratings/v1.1.0  completed: promoted");
    expect(h.out()).toContain("shop/ratings/v1.2.0  completed: failed");
  });

  it("--until-done with no live release ends at once", async () => {
    const h = harness(memoryStore({}));
    expect(await runWatch({ ...base, untilDone: true }, h.deps)).toEqual({ stdout: "no live releases; nothing to wait for\n", stderr: "", code: 0 });
  });
});

describe("runWatch --json", () => {
  it("prints the events of the watched release as JSON lines, nothing else", async () => {
    const a = scriptRelease();
    const t = toFirstStep(a);
    const other = scriptRelease({ version: "v1.2.0" });
    const seen = a.published.length;
    const h = harness(memoryStore([a, other]));
    const done = runWatch({ ...base, json: true, releaseId: a.releaseId }, h.deps);
    await h.waiting();
    toPromoted(a, t);
    h.feed.push(...other.releaseEvents(), ...a.releaseEvents(seen));
    expect((await done).code).toBe(0);
    const lines = h.out().trimEnd().split("\n").map((l) => JSON.parse(l) as { type: string; releaseId: string; data: { to?: string; outcome?: string } });
    expect(lines.every((l) => l.releaseId === a.releaseId)).toBe(true);
    expect(lines.map((l) => l.data.to ?? l.data.outcome)).toEqual(["step.shifting", "step.analyzing", "step.shifting", "step.analyzing", "finalizing", "succeeded", "promoted"]);
  });
});

describe("runWatch on a terminal", () => {
  it("redraws the release block in place and leaves the final frame and a summary line", async () => {
    const r = scriptRelease();
    const t = toFirstStep(r);
    const seen = r.published.length;
    const h = harness(memoryStore([r]), { tty: true });
    const done = runWatch({ ...base, releaseId: r.releaseId }, h.deps);
    await h.waiting();
    expect(screenOf(h.out())).toEqual([
      "siskin watch test · 12:02:05Z · Ctrl-C to stop",
      "",
      "shop/ratings/v1.1.0  step.analyzing  step 1/3  2m ago",
      "  [██░░░░░░░░░░░░░░░░░░░░░░]  10%",
      "  last: baking step 1 at 10 % for 1 interval(s) (60 s)",
    ]);
    r.send(ev.analysis(t + 60_000, [verdict.pass(), { ...verdict.fail(), verdict: "pass", canary: 300, threshold: "<= 1.2 × stable (336 ms)", reason: "latency-p99 300 ms ≤ 336 ms" }]));
    r.send(ev.weightsSet(t + 61_000, 50));
    h.feed.push(...r.releaseEvents(seen));
    await vi.waitFor(() => expect(screenOf(h.out())[3]).toBe("  [████████████░░░░░░░░░░░░]  50%"), { timeout: 5000 });
    expect(screenOf(h.out()).slice(2)).toEqual([
      "shop/ratings/v1.1.0  step.analyzing  step 2/3  2m ago",
      "  [████████████░░░░░░░░░░░░]  50%",
      "  ✓ error-rate   pass  canary 0.1 · stable 0.1  error-rate 0.1 % ≤ max 1 %",
      "  ✓ latency-p99  pass  canary 300 · stable 280 · <= 1.2 × stable (336 ms)  latency-p99 300 ms ≤ 336 ms",
      "  last: baking step 2 at 50 % for 1 interval(s) (60 s)",
    ]);
    const seen2 = r.published.length;
    r.send(ev.analysis(t + 121_000, [verdict.critical()]));
    r.send(ev.weightsSet(t + 122_000, 0));
    h.feed.push(...r.releaseEvents(seen2));
    const res = await done;
    expect(res.code).toBe(1);
    const screen = screenOf(h.out());
    expect(screen.slice(2)).toEqual([
      "shop/ratings/v1.1.0  rolledBack  step 2/3  2m ago",
      "  [░░░░░░░░░░░░░░░░░░░░░░░░]   0%",
      "  ✗ error-rate  fail critical  canary 35 · stable 0.1  error-rate 35 % > critical bound 20 %: roll back now",
      "  last: rolled back to v1.0.0: critical: error-rate 35 % > critical bound 20 %: roll back now",
      "  took 2m 5s",
      "12:02:05Z shop/ratings/v1.1.0  completed: rolledBack after 2m 5s  — rolled back to v1.0.0: critical: error-rate 35 % > critical bound 20 %: roll back now",
    ]);
    expect(h.out().endsWith("\x1b[?25h" + screen[screen.length - 1] + "\n")).toBe(true);
  });
});

describe("runWatch: waiting, interrupts", () => {
  it("waits a bounded time for a release that is not stored yet, then fails naming it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const h = harness(memoryStore({}));
    const done = runWatch({ ...base, releaseId: "shop/ratings/v2.0.0" }, h.deps);
    await vi.advanceTimersByTimeAsync(15_000);
    const res = await done;
    expect(h.err()).toBe("release shop/ratings/v2.0.0 is not stored yet; waiting up to 15s for it to start\n");
    expect(res).toEqual({ stdout: "", stderr: "release shop/ratings/v2.0.0 not found in KV bucket siskin-releases; list the releases with: siskin status\n", code: 1 });
  });

  it("a release that starts while waiting is followed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const r = scriptRelease();
    const entries: Record<string, unknown> = {};
    const h = harness(memoryStore(entries));
    const done = runWatch({ ...base, releaseId: r.releaseId }, h.deps);
    await vi.advanceTimersByTimeAsync(5_000);
    entries[r.releaseId] = r.stored;
    h.feed.push(...r.releaseEvents());
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.feed.stopped).toBe(false);
    expect(h.out()).toContain("12:00:00Z shop/ratings/v1.1.0  provisioning  [░░░░░░░░░░]   0%  — provisioning VirtualMachine ratings-v1-1-0 for v1.1.0");
    h.feed.end();
    expect((await done).code).toBe(1);
  });

  it("Ctrl-C ends the watch with 130", async () => {
    const r = scriptRelease();
    const ac = new AbortController();
    const h = harness(memoryStore([r]), { signal: ac.signal });
    const done = runWatch({ ...base }, h.deps);
    await h.waiting();
    ac.abort();
    expect(await done).toEqual({ stdout: "", stderr: "watch interrupted\n", code: INTERRUPTED_EXIT });
    expect(h.feed.stopped).toBe(true);
  });
});
