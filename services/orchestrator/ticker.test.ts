import { describe, expect, it } from "vitest";
import type { TickReport } from "./service.js";
import { silentLog } from "./kit.test-util.js";
import { startTicker, type Schedule } from "./ticker.js";

/** A schedule driven by hand: `fire()` runs the pending timer. */
function manualSchedule() {
  let pending: { fn: () => void; ms: number } | null = null;
  const schedule: Schedule = (fn, ms) => {
    pending = { fn, ms };
    return () => {
      pending = null;
    };
  };
  return {
    schedule,
    pendingMs: () => pending?.ms ?? null,
    fire() {
      const p = pending;
      pending = null;
      p?.fn();
    },
  };
}

const report: TickReport = { live: 0, due: 0, applied: 0, failed: 0 };

describe("ticker", () => {
  it("ticks every tickMs, scheduling the next only when the previous has finished", async () => {
    const s = manualSchedule();
    let calls = 0;
    let release: (() => void) | undefined;
    const t = startTicker({
      tick: () => {
        calls++;
        return new Promise<TickReport>((r) => (release = () => r(report)));
      },
      tickMs: 1000,
      log: silentLog,
      schedule: s.schedule,
    });
    expect(s.pendingMs()).toBe(1000);
    s.fire();
    expect(calls).toBe(1);
    expect(s.pendingMs()).toBeNull(); // no overlap while the tick runs
    release?.();
    await new Promise((r) => setImmediate(r));
    expect(s.pendingMs()).toBe(1000);
    s.fire();
    release?.();
    expect(calls).toBe(2);
    await t.stop();
    expect(t.running()).toBe(false);
    expect(s.pendingMs()).toBeNull();
  });

  it("keeps ticking after a failed tick", async () => {
    const s = manualSchedule();
    const t = startTicker({ tick: () => Promise.reject(new Error("nats away")), tickMs: 50, log: silentLog, schedule: s.schedule });
    s.fire();
    await new Promise((r) => setImmediate(r));
    expect(s.pendingMs()).toBe(50);
    await t.stop();
  });

  it("stop waits for the tick in flight", async () => {
    const s = manualSchedule();
    let done = false;
    let release: (() => void) | undefined;
    const t = startTicker({
      tick: () => new Promise<TickReport>((r) => (release = () => { done = true; r(report); })),
      tickMs: 10,
      log: silentLog,
      schedule: s.schedule,
    });
    s.fire();
    const stopping = t.stop();
    release?.();
    await stopping;
    expect(done).toBe(true);
    expect(s.pendingMs()).toBeNull();
  });
});
