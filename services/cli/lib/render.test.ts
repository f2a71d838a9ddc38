import { describe, expect, it } from "vitest";
import { stripAnsi, palette } from "./color.js";
import { ev, makeSpec, memoryStore, scriptRelease, T0, toFirstStep, verdict } from "./fixtures.test-util.js";
import { applyReleaseEvent, blankView, enrichFromKv } from "./release-events.js";
import { lastVerdictSummary, releaseViewOf, sortReleases, type ReleaseView } from "../../runtime/release-view.js";
import { renderReleaseDetail, renderReleaseTable, renderTimeline } from "./render-status.js";
import { renderChangeLine, renderReleaseBlock, renderWatchScreen } from "./render-watch.js";
import { createScreen } from "./screen.js";
import { screenOf } from "./terminal.test-util.js";

const gated = makeSpec({ steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout: "reject" } }, { weight: 100 }] });

/** A release baking step 2 (50 %) after a passing and a failing-then-passing interval. */
function analyzing(): ReleaseView {
  const r = scriptRelease();
  toFirstStep(r);
  r.send(ev.analysis(T0 + 63_000, [verdict.pass(), { ...verdict.fail(), verdict: "pass", reason: "latency-p99 300 ms ≤ 1.2 × stable 280 ms = 336 ms" }]));
  r.send(ev.weightsSet(T0 + 64_000, 50));
  const v = releaseViewOf(r.releaseId, r.stored);
  if (v === null) throw new Error("no view");
  return v;
}

describe("releaseViewOf (a StoredRelease written by the orchestrator's applyEvent)", () => {
  it("reads state, step of n, weight, verdicts with numbers, audit", () => {
    const v = analyzing();
    expect(v).toMatchObject({ releaseId: "shop/ratings/v1.1.0", rollout: "shop/ratings", version: "v1.1.0", stableVersion: "v1.0.0", state: "step.analyzing", done: false, step: 1, steps: 3, weight: 50, requestedAt: T0 });
    expect(v.verdicts[0]).toMatchObject({ metric: "error-rate", verdict: "pass", canary: 0.1, stable: 0.1 });
    expect(v.audit.map((a) => `${a.from}→${a.to}`)).toEqual(["new→provisioning", "provisioning→awaitingCanaryReady", "awaitingCanaryReady→step.shifting", "step.shifting→step.analyzing", "step.analyzing→step.shifting", "step.shifting→step.analyzing"]);
    expect(v.lastSeq).toBe(5);
  });

  it("tolerates foreign values and missing fields", () => {
    expect(releaseViewOf("k", "text")).toBeNull();
    expect(releaseViewOf("shop/x/v1", {})).toMatchObject({ releaseId: "shop/x/v1", rollout: "shop/x", state: "requested", step: null, steps: null, weight: 0, audit: [] });
  });

  it("summarizes the worst verdict, and sorts live releases before finished ones", () => {
    expect(lastVerdictSummary([])).toBe("-");
    expect(lastVerdictSummary([{ metric: "a", verdict: "pass", reason: "" }, { metric: "b", verdict: "pass", reason: "" }])).toBe("pass (2)");
    expect(lastVerdictSummary([{ metric: "a", verdict: "inconclusive", reason: "" }, { metric: "b", verdict: "fail", reason: "" }])).toBe("fail b");
    const a = { ...blankView("ns/a/v1"), requestedAt: 1 };
    const b = { ...blankView("ns/b/v1"), requestedAt: 2 };
    const c = { ...blankView("ns/c/v1"), done: true, completedAt: 5 };
    expect(sortReleases([c, a, b]).map((v) => v.releaseId)).toEqual(["ns/b/v1", "ns/a/v1", "ns/c/v1"]);
  });
});

describe("status rendering", () => {
  it("the table: RELEASE, STATE, STEP, WEIGHT, LAST VERDICT, AGE", () => {
    const live = analyzing();
    const queued = releaseViewOf("shop/ratings/v1.2.0", scriptRelease({ version: "v1.2.0", now: T0 + 60_000 }).stored) as ReleaseView;
    const done: ReleaseView = {
      ...live,
      releaseId: "shop/ratings/v1.0.9",
      done: true,
      outcome: "rolledBack",
      state: "rolledBack",
      verdicts: [{ metric: "error-rate", verdict: "pass", reason: "" }],
      reason: "rolled back to v1.0.0: alert HighErrorRate firing",
      requestedAt: T0 - 3600_000,
    };
    const out = renderReleaseTable([live, queued, done], T0 + 125_000);
    // A rollback's row says what caused it (here an alert after passing intervals), not its last verdict.
    expect(out).toBe(
      [
        "RELEASE              STATE           STEP  WEIGHT  LAST VERDICT                       AGE",
        "shop/ratings/v1.1.0  step.analyzing  2/3   50%     pass (2)                           2m",
        "shop/ratings/v1.2.0  provisioning    -     0%      -                                  1m",
        "shop/ratings/v1.0.9  rolledBack      2/3   50%     cause: alert HighErrorRate firing  1h2m",
        "",
      ].join("\n"),
    );
  });

  it("one release: header, verdicts with numbers, approvals, and the timeline", () => {
    const r = scriptRelease({ spec: gated });
    toFirstStep(r);
    r.send(ev.analysis(T0 + 63_000, [verdict.pass()]));
    const view = releaseViewOf(r.releaseId, r.stored) as ReleaseView;
    const out = renderReleaseDetail(view, T0 + 70_000);
    expect(out).toContain("Release    shop/ratings/v1.1.0\n");
    expect(out).toContain("Rollout    shop/ratings (stable v1.0.0 → canary v1.1.0)\n");
    expect(out).toContain("State      step.awaitingApproval   step 2/3   [██░░░░░░░░░░░░░░░░░░]  10%\n");
    expect(out).toContain("Requested  2026-03-01 12:00:00Z by github:octocat (1m ago)\n");
    expect(out).toContain("  ✓ error-rate  pass  canary 0.1 · stable 0.1  error-rate 0.1 % ≤ max 1 %\n");
    expect(out).toMatch(/Approvals\n  step 2: waiting until 2026-03-01 12:11:03Z\n/);
    const timeline = out.slice(out.indexOf("Timeline\n") + 9).split("\n");
    expect(timeline[0]).toMatch(/^ {2}TIME +TRANSITION +BY +REASON$/);
    expect(timeline[1]).toMatch(/^ {2}2026-03-01 12:00:00Z {2}new → provisioning +github:octocat +provisioning VirtualMachine ratings-v1-1-0 for v1.1.0$/);
    expect(timeline[5]).toMatch(/^ {2}2026-03-01 12:01:03Z {2}step.analyzing → step.awaitingApproval +- +waiting for approval 1-1 to shift to 50 %/);
  });

  it("an empty history says so", () => {
    expect(renderTimeline(blankView("a/b/c"))).toBe("  (no transitions recorded yet)\n");
  });
});

describe("watch rendering", () => {
  it("a block: title with step i/n, weight bar, verdicts with numbers, last reason", () => {
    const v = { ...analyzing(), verdicts: [{ ...verdict.pass() }, { ...verdict.fail() }] };
    expect(renderReleaseBlock(v, T0 + 125_000)).toEqual([
      "shop/ratings/v1.1.0  step.analyzing  step 2/3  2m ago",
      "  [████████████░░░░░░░░░░░░]  50%",
      "  ✓ error-rate   pass  canary 0.1 · stable 0.1  error-rate 0.1 % ≤ max 1 %",
      "  ✗ latency-p99  fail  canary 412 · stable 280  latency-p99 412 ms > 1.2 × stable 280 ms = 336 ms",
      "  last: baking step 2 at 50 % for 1 interval(s) (60 s)",
    ]);
  });

  it("the screen: header, blocks, lines cut to the terminal width", () => {
    const lines = renderWatchScreen([analyzing()], { now: T0 + 125_000, width: 40, header: "siskin watch" });
    expect(lines[0]).toBe("siskin watch · 12:02:05Z · Ctrl-C to s…");
    expect(lines.every((l) => [...l].length <= 39)).toBe(true);
    expect(renderWatchScreen([], { now: T0, width: 80, header: "h" })).toContain("no live releases yet; waiting for one to start");
  });

  it("one line per change, and a completion line", () => {
    const v = analyzing();
    expect(renderChangeLine(v, { at: T0 + 64_000, from: "step.shifting" })).toBe(
      "12:01:04Z shop/ratings/v1.1.0  step.shifting → step.analyzing  step 2/3  [█████░░░░░]  50%  ✓ error-rate ✓ latency-p99  — baking step 2 at 50 % for 1 interval(s) (60 s)",
    );
    const done = { ...v, done: true, outcome: "promoted", completedAt: T0 + 250_000, reason: "v1.1.0 is stable" };
    expect(renderChangeLine(done, { at: T0 + 250_000 })).toBe("12:04:10Z shop/ratings/v1.1.0  completed: promoted after 4m 10s  — v1.1.0 is stable");
  });

  it("events update a view; the KV entry fills the numbers; events the KV already shows are skipped", () => {
    const r = scriptRelease();
    toFirstStep(r);
    const before = releaseViewOf(r.releaseId, r.stored) as ReleaseView;
    const seen = r.published.length;
    r.send(ev.analysis(T0 + 63_000, [verdict.pass()]));
    const events = r.releaseEvents(seen);
    expect(events.map((e) => e.type)).toEqual(["evt.release.progressed"]);
    const [progressed] = events;
    if (progressed === undefined) throw new Error("no event");
    const applied = applyReleaseEvent(before, progressed);
    expect(applied.changed).toBe(true);
    expect(applied.view).toMatchObject({ state: "step.shifting", step: 1, weight: 10, verdicts: [{ metric: "error-rate", verdict: "pass" }] });
    expect(applied.view?.verdicts[0]?.canary).toBeUndefined();
    const enriched = enrichFromKv(applied.view as ReleaseView, releaseViewOf(r.releaseId, r.stored));
    expect(enriched.verdicts[0]).toMatchObject({ canary: 0.1, stable: 0.1 });
    const again = applyReleaseEvent(releaseViewOf(r.releaseId, r.stored) as ReleaseView, progressed);
    expect(again.changed).toBe(false);
  });

  it("watch never shows one interval's numbers beside another interval's reason", () => {
    const r = scriptRelease();
    toFirstStep(r);
    const before = releaseViewOf(r.releaseId, r.stored) as ReleaseView;
    const seen = r.published.length;
    r.send(ev.analysis(T0 + 63_000, [verdict.pass()]));
    const [progressed] = r.releaseEvents(seen);
    const applied = applyReleaseEvent(before, progressed!).view as ReleaseView;
    // By the time watch reads the KV entry, a later interval (same verdict, other numbers) is stored.
    r.send(ev.analysis(T0 + 123_000, [{ ...verdict.pass(), canary: 0.4, stable: 0.3, reason: "error-rate 0.4 % ≤ max 1 %" }]));
    const enriched = enrichFromKv(applied, releaseViewOf(r.releaseId, r.stored));
    expect(enriched.verdicts[0]).toMatchObject({ reason: "error-rate 0.1 % ≤ max 1 %" });
    expect(enriched.verdicts[0]?.canary).toBeUndefined();
  });

  it("a release first seen through its request gets its step count from the spec", () => {
    // release-trigger publishes the request; the host does not republish it.
    const msg = { id: "x", type: "evt.release.requested" as const, v: 1, occurredAt: new Date(T0).toISOString(), releaseId: "shop/ratings/v1.1.0", data: { rollout: { namespace: "shop", name: "ratings" }, spec: makeSpec({ steps: [{ weight: 20 }, { weight: 100 }] }), version: "v1.1.0", requestedBy: { kind: "cli" as const, id: "alice" }, idempotencyKey: "k" } };
    const applied = applyReleaseEvent(undefined, msg);
    expect(applied.view).toMatchObject({ state: "requested", steps: 2, requestedBy: { kind: "cli", id: "alice" }, requestedAt: T0 });
  });
});

describe("screen redraw", () => {
  it("redraws in place: the terminal shows only the newest frame, below what was there", () => {
    let out = "";
    const screen = createScreen((s) => (out += s));
    out += "$ siskin watch\n";
    screen.draw(["frame 1 line a", "frame 1 line b", "frame 1 line c"]);
    screen.draw(["frame 2 only"]);
    screen.draw(["frame 3 line a", "frame 3 line b"]);
    screen.close();
    expect(screenOf(out)).toEqual(["$ siskin watch", "frame 3 line a", "frame 3 line b"]);
    expect(out.startsWith("$ siskin watch\n\x1b[?25l")).toBe(true);
    expect(out.endsWith("\x1b[?25h")).toBe(true);
  });

  it("caps a frame to the terminal's rows", () => {
    let out = "";
    const screen = createScreen((s) => (out += s), () => 4);
    screen.draw(["1", "2", "3", "4", "5", "6"]);
    expect(screenOf(out)).toEqual(["1", "2", "… 4 more lines (enlarge the terminal)"]);
  });

  it("colored output renders to the same text", () => {
    const p = palette(true);
    const lines = renderWatchScreen([analyzing()], { now: T0 + 125_000, width: 120, header: "h", p });
    expect(lines.map(stripAnsi)).toEqual(renderWatchScreen([analyzing()], { now: T0 + 125_000, width: 120, header: "h" }));
  });
});

describe("memoryStore", () => {
  it("serves scripted releases", async () => {
    const r = scriptRelease();
    const store = memoryStore([r]);
    expect((await store.list()).map((e) => e.key)).toEqual([r.releaseId]);
    expect(await store.get("a/b/c")).toBeNull();
  });
});
