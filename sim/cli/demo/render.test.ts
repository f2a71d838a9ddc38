// What the demo prints and writes: progress lines, the summary table, the verdict lines, the report.
import { describe, expect, it } from "vitest";
import { buildReport, exitCodeOf } from "./report.js";
import { elapsed, exploreLines, intervalsLine, progressLines, progressText, slackText, summaryTable, verdictLines } from "./render.js";
import { bookinfoStories, judgeStory } from "./stories.js";
import type { StoryResult } from "./types.js";

const result = (over: Partial<StoryResult>): StoryResult => ({
  tag: "v2.0.0",
  version: "v2.0.0",
  releaseId: "bookinfo/ratings/v2.0.0",
  title: "t",
  expected: "promoted",
  outcome: "promoted",
  reason: "v2.0.0 promoted; rollback window passed; stopping v1",
  approvedBy: ["oncall"],
  held: false,
  stableBefore: "v1",
  startedAt: Date.UTC(2026, 0, 1),
  decidedAfterMs: 23_100,
  reactionMs: null,
  durationMs: 33_200,
  weights: [10, 50, 100],
  progress: [],
  problems: [],
  ok: true,
  ...over,
});

describe("progress lines", () => {
  it("show the release, the time since the push, step, weight, state, reason, and verdicts with their numbers", () => {
    const text = progressText({ to: "step.analyzing", step: 1, weight: 50, reason: "baking step 2 at 50 %" }, 3);
    expect(text).toBe("step 2/3 · 50 % · analyzing — baking step 2 at 50 %");
    const lines = progressLines("v2.0.0", {
      atMs: 8_640,
      kind: "progress",
      text,
      verdicts: [{ metric: "latency-p99", verdict: "pass", reason: "latency-p99 95.67 ms ≤ 1.2 × stable 97.06 ms = 116.5 ms" }],
    });
    expect(lines).toEqual([
      "  v2.0.0    +8.6s  release  step 2/3 · 50 % · analyzing — baking step 2 at 50 %",
      "                            verdicts: latency-p99 pass (latency-p99 95.67 ms ≤ 1.2 × stable 97.06 ms = 116.5 ms)",
    ]);
    expect(progressText({ to: "provisioning", weight: 0, reason: "r" }, 3)).toBe("0 % · provisioning — r");
  });

  it("hide quiet records, shorten Slack messages and mark edits", () => {
    expect(progressLines("v2.1.0", { atMs: 1, kind: "slack", text: "x", quiet: true })).toEqual([]);
    expect(slackText("\n:white_check_mark: Approved\nmore", true)).toBe("(edited) :white_check_mark: Approved");
    expect(slackText("a".repeat(200), false)).toHaveLength(110);
    expect(elapsed(123_456)).toBe("+123.5s");
  });
});

describe("summary", () => {
  const rows = [
    result({}),
    result({ tag: "v2.1.0", expected: "rolledBack", outcome: "rolledBack", approvedBy: [], decidedAfterMs: 14_300, reactionMs: 5_100 }),
    result({ tag: "v2.2.0", expected: "rolledBack", outcome: "promoted", approvedBy: [], ok: false, problems: ["expected rolledBack, got promoted (p)"] }),
    result({ tag: "v2.3.0", outcome: null, decidedAfterMs: null, durationMs: null, ok: false, problems: ["no outcome"] }),
  ];

  it("is a table: outcome, time to promote or roll back, reaction to the fault, who approved", () => {
    expect(summaryTable(rows)).toEqual([
      "release  expected    outcome     decided after  after fault  approved by  result",
      "-".repeat(84),
      "v2.0.0   promoted    promoted    23.1 s         -            oncall       ok",
      "v2.1.0   rolledBack  rolledBack  14.3 s         5.1 s        -            ok",
      "v2.2.0   rolledBack  promoted    23.1 s         -            -            UNEXPECTED",
      "v2.3.0   promoted    (none)      -              -            oncall       UNEXPECTED",
    ]);
  });

  it("names the releases that did not end as expected", () => {
    expect(verdictLines(rows.slice(0, 2))).toEqual(["all 2 releases ended as expected"]);
    expect(verdictLines(rows)).toEqual(["2 of 4 releases did not end as expected:", "  v2.2.0: expected rolledBack, got promoted (p)", "  v2.3.0: no outcome"]);
  });

  it("says the short intervals and how to explore a kept world", () => {
    expect(intervalsLine({ analysisSeconds: 5, rollbackWindowSeconds: 10, prometheusSeconds: 1 })).toMatch(/analysis 5 s, rollback window 10 s, Prometheus scrape\/evaluation 1 s/);
    const lines = exploreLines({ prometheusUrl: "http://p", kubeconfigPath: "out/kubeconfig", slackUrl: "http://s", natsUrl: "nats://n" }).join("\n");
    expect(lines).toContain("kubectl --kubeconfig out/kubeconfig get vmro,vmi,vs -A");
    expect(lines).toContain("curl -s http://s/_sim/messages");
    expect(lines).toContain("http://p/graph?g0.expr=");
  });
});

describe("report", () => {
  it("is JSON with every release, ok and the failures; exit code 1 names nothing but the flag", () => {
    const good = buildReport({ mode: "local", startedAt: 1_000, finishedAt: 111_000, intervals: { analysisSeconds: 5, rollbackWindowSeconds: 10, prometheusSeconds: 1 }, results: [result({})] });
    expect(JSON.parse(JSON.stringify(good))).toMatchObject({
      reportVersion: 1,
      mode: "local",
      durationMs: 110_000,
      ok: true,
      failures: [],
      releases: [{ tag: "v2.0.0", outcome: "promoted", approvedBy: ["oncall"], startedAt: "2026-01-01T00:00:00.000Z", weights: [10, 50, 100] }],
    });
    expect(exitCodeOf(good)).toBe(0);
    const bad = buildReport({ mode: "external", startedAt: 0, finishedAt: 1, intervals: good.intervals, results: [result({ ok: false, problems: ["nobody approved it in Slack"] })] });
    expect(bad).toMatchObject({ ok: false, failures: [{ tag: "v2.0.0", problems: ["nobody approved it in Slack"] }] });
    expect(exitCodeOf(bad)).toBe(1);
    expect(buildReport({ ...{ mode: "local", startedAt: 0, finishedAt: 1, intervals: good.intervals }, results: [] }).ok).toBe(false);
  });
});

describe("judgeStory", () => {
  const [promote, alert, latency, migrate] = bookinfoStories;
  const seen = { outcome: "promoted", reason: "v2.0.0 promoted", approvedBy: ["oncall"], held: false, stableStopped: true, reactionMs: null };

  it("accepts what each story expects", () => {
    expect(judgeStory(promote!, seen)).toEqual([]);
    expect(judgeStory(alert!, { ...seen, outcome: "rolledBack", reason: "alert SiskinCanaryHighErrorRate firing", approvedBy: [], reactionMs: 5_000 })).toEqual([]);
    expect(judgeStory(latency!, { ...seen, outcome: "rolledBack", reason: "2 consecutive failed intervals: latency-p99 245 ms > 1.2 × stable", approvedBy: [] })).toEqual([]);
    expect(judgeStory(migrate!, { ...seen, held: true })).toEqual([]);
  });

  it("names every way a story can go wrong", () => {
    expect(judgeStory(promote!, { ...seen, outcome: null, reason: "x" })).toEqual(["no outcome: the release did not complete in time (last: x)"]);
    expect(judgeStory(promote!, { ...seen, approvedBy: [], stableStopped: false })).toEqual(["nobody approved it in Slack", "the previous stable VM was not stopped after the rollback window"]);
    expect(judgeStory(alert!, { ...seen, outcome: "rolledBack", reason: "2 consecutive failed intervals", reactionMs: 45_000 })).toEqual([
      'the reason should match /alert|SiskinCanaryHighErrorRate/i, but is "2 consecutive failed intervals"',
      "rolled back 45.0 s after the fault (at most 30 s)",
    ]);
    expect(judgeStory(migrate!, { ...seen, outcome: "rolledBack", reason: "r" })).toEqual(["expected promoted, got rolledBack (r)", "it was never held for the live migration"]);
  });
});
