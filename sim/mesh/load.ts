// The load generator: constant-rate traffic to targets, advanced by ticks (`tick(ms)` sends rate × ms
// requests, carrying fractions), bounded by a request count and a duration. No timers here: a test
// calls tick(); the real-time driver in index.ts calls it from an interval.
import type { TrafficCounts, TrafficTarget } from "./mesh.js";

/** A constant-rate load on one target. */
export interface LoadSpec extends TrafficTarget {
  /** Requests per second (> 0). */
  rps: number;
  /** Stop after this many requests (default unbounded… but see maxSeconds). */
  maxRequests?: number;
  /** Stop after this many seconds of ticks. */
  maxSeconds?: number;
  /**
   * A share (0..1) of the requests also carries these headers, e.g. `{share: 0.1, headers:
   * {"x-canary": "always"}}` for testers hitting a matched route. Spread evenly (carried fractions).
   */
  tagged?: { share: number; headers: Record<string, string> };
}

/** A running (or finished) load. */
export interface LoadState {
  id: number;
  spec: LoadSpec;
  sent: number;
  elapsedMs: number;
  done: boolean;
}

/** Drives loads; see {@link createLoadGenerator}. */
export interface LoadGenerator {
  /** Adds a load; throws on an rps ≤ 0 or an unbounded load (neither maxRequests nor maxSeconds). */
  start(spec: LoadSpec): LoadState;
  /** Advances every active load by `ms`, sending what is due; returns how many requests were sent. */
  tick(ms: number): number;
  /** Stops one load (by id) or all. */
  stop(id?: number): void;
  /** Loads still running. */
  active(): LoadState[];
}

/** Creates a generator that sends through `send(target, count)`. */
export function createLoadGenerator(send: (target: TrafficTarget & { count: number }) => TrafficCounts): LoadGenerator {
  const loads: Array<LoadState & { carry: number; taggedCarry: number }> = [];
  let nextId = 1;
  return {
    start(spec) {
      if (!(spec.rps > 0) || !Number.isFinite(spec.rps)) {
        throw new Error(`sim-mesh load: rps must be a positive number, got ${spec.rps}; pass e.g. rps: 50`);
      }
      if (spec.maxRequests === undefined && spec.maxSeconds === undefined) {
        throw new Error("sim-mesh load: a load must be bounded; pass maxRequests and/or maxSeconds");
      }
      if (spec.tagged !== undefined && !(spec.tagged.share >= 0 && spec.tagged.share <= 1)) {
        throw new Error(`sim-mesh load: tagged.share must be a number from 0 to 1, got ${spec.tagged.share}; pass e.g. share: 0.1`);
      }
      const load = { id: nextId++, spec, sent: 0, elapsedMs: 0, done: false, carry: 0, taggedCarry: 0 };
      loads.push(load);
      return load;
    },
    tick(ms) {
      let total = 0;
      for (const l of loads) {
        if (l.done) continue;
        const limitMs = l.spec.maxSeconds === undefined ? Infinity : l.spec.maxSeconds * 1000;
        const step = Math.max(0, Math.min(ms, limitMs - l.elapsedMs));
        l.elapsedMs += step;
        l.carry += (l.spec.rps * step) / 1000;
        let n = Math.floor(l.carry + 1e-9);
        l.carry -= n;
        if (l.spec.maxRequests !== undefined) n = Math.min(n, l.spec.maxRequests - l.sent);
        if (n > 0) {
          const { tagged, ...target } = l.spec;
          let plain = n;
          if (tagged !== undefined) {
            l.taggedCarry += n * tagged.share;
            const t = Math.min(n, Math.floor(l.taggedCarry + 1e-9));
            l.taggedCarry -= t;
            plain -= t;
            if (t > 0) send({ ...target, headers: { ...(target.headers ?? {}), ...tagged.headers }, count: t });
          }
          if (plain > 0) send({ ...target, count: plain });
          l.sent += n;
          total += n;
        }
        if (l.elapsedMs >= limitMs || (l.spec.maxRequests !== undefined && l.sent >= l.spec.maxRequests)) l.done = true;
      }
      for (let i = loads.length - 1; i >= 0; i--) if (loads[i]?.done) loads.splice(i, 1);
      return total;
    },
    stop(id) {
      for (const l of loads) if (id === undefined || l.id === id) l.done = true;
      for (let i = loads.length - 1; i >= 0; i--) if (loads[i]?.done) loads.splice(i, 1);
    },
    active: () => loads.filter((l) => !l.done).map(({ carry: _c, taggedCarry: _t, ...rest }) => rest),
  };
}
