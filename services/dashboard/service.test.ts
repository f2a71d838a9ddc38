import { describe, expect, it } from "vitest";
import { message } from "../../schemas/codec.js";
import { Event } from "../../schemas/subjects.js";
import { fakeDashboard, storedRelease, T0 } from "./fakes.test-util.js";
import { foldEvent, emptyHistory } from "./history.js";
import { sseFrame } from "./hub.js";

const ID = "bookinfo/ratings/v2.0.0";
const at = (ms: number) => new Date(T0 + ms).toISOString();
const progressed = (ms: number, to: string, weight: number, step?: number) =>
  message(Event.releaseProgressed, { id: `p${ms}`, occurredAt: at(ms), releaseId: ID, data: { from: "x", to, event: "tick", reason: "r", weight, seq: ms, ...(step === undefined ? {} : { step }) } });
const weightsSet = (ms: number, w: number) =>
  message(Event.trafficWeightsSet, { id: `w${ms}`, occurredAt: at(ms), releaseId: ID, data: { canaryWeight: w, routes: [], resourceVersion: "1", attempts: 1 } });

describe("release history", () => {
  it("keeps confirmed weights, step starts and judged intervals", () => {
    const h = emptyHistory();
    expect(foldEvent(h, progressed(0, "provisioning", 0))).toBe(true);
    expect(foldEvent(h, progressed(1000, "step.shifting", 0, 0))).toBe(true);
    expect(foldEvent(h, weightsSet(2000, 10))).toBe(true);
    expect(foldEvent(h, weightsSet(2500, 10))).toBe(false);
    expect(foldEvent(h, progressed(3000, "step.analyzing", 10, 0))).toBe(false);
    foldEvent(h, message(Event.analysisCompleted, { id: "a1", occurredAt: at(9000), releaseId: ID, data: { windowStart: T0 + 4000, windowEnd: T0 + 9000, canaryVersion: "v2.0.0", verdicts: [{ metric: "error-rate", verdict: "pass", critical: false, canary: 0, stable: 0, reason: "ok" }] } }));
    expect(h.weights).toEqual([{ at: T0, weight: 0 }, { at: T0 + 2000, weight: 10 }]);
    expect(h.steps).toEqual([{ at: T0 + 1000, step: 0 }]);
    expect(h.intervals).toHaveLength(1);
  });
});

describe("live updates", () => {
  it("serialises each update once for every browser and re-reads a release once per burst of events", async () => {
    const f = fakeDashboard({ [ID]: storedRelease({ weight: 10, step: 0, state: { step: "analyzing" } }) });
    await f.service.init();
    const got: string[][] = [[], [], []];
    for (const g of got) f.hub.add({ write: (c) => (g.push(c), true), buffered: () => 0, close: () => undefined });
    let reads = 0;
    const next = storedRelease({ weight: 50, step: 1, state: { step: "analyzing" } });
    const entries = f.entries as Record<string, unknown>;
    Object.defineProperty(entries, ID, { get: () => (reads++, next), enumerable: true, configurable: true });
    await Promise.all([f.service.ingest(progressed(1000, "step.shifting", 10, 1)), f.service.ingest(progressed(1001, "step.analyzing", 50, 1))]);
    expect(f.service.list({})[0]?.weight).toBe(50);
    expect(reads).toBe(1);
    for (const g of got) expect(g.filter((c) => c.startsWith("event: release")).length).toBeGreaterThanOrEqual(1);
    expect(got[0]).toEqual(got[1]);
    expect(got[0]?.some((c) => c === sseFrame("history", { releaseId: ID }))).toBe(true);
  });

  it("drops a browser that stops reading instead of buffering for it", async () => {
    const f = fakeDashboard({});
    let closed = false;
    f.hub.add({ write: () => false, buffered: () => 10 * 1024 * 1024, close: () => (closed = true) });
    f.hub.broadcast("release", { releaseId: ID });
    expect(closed).toBe(true);
    expect(f.hub.size()).toBe(0);
  });
});
