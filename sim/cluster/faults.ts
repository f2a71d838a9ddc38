// API faults the simulator injects on its HTTP front, settable at run time (in process or through
// `PUT /_sim/faults`): a fraction of resource requests answered 500 or 503, writes answered 409 Conflict,
// answers delayed, plus on-demand cuts of every watch stream and 410 Gone for every resourceVersion a
// client holds. Seeded, so a soak run with the same seed draws the same faults. Discovery, OpenAPI and
// health paths are never faulted: a real API server's aggregator answers them apart.
import { createRng, hashSeed } from "../mesh/prng.js";
import * as st from "./status.js";

/** What is injected; every rate is a fraction in [0, 1] of resource requests. */
export interface ApiFaultSettings {
  /** Fraction answered 500 InternalError or 503 ServiceUnavailable (half each). */
  errorRate: number;
  /** Fraction of writes (POST, PUT, PATCH, DELETE) answered 409 Conflict before they are applied. */
  conflictRate: number;
  /** Fraction delayed by {@link ApiFaultSettings.slowMs} before they are served. */
  slowRate: number;
  /** Delay of a slow answer, in ms. */
  slowMs: number;
}

/** Faults injected so far, by kind. */
export interface ApiFaultCounts {
  error500: number;
  error503: number;
  conflict409: number;
  slow: number;
  /** Watch streams ended by {@link ApiFaults.cutWatches}. */
  watchCut: number;
  /** History expiries: every open watch ended, and a re-watch from an old resourceVersion gets 410 Gone. */
  gone410: number;
}

/** What to do with one request. */
export type FaultDecision = { kind: "none" } | { kind: "error"; error: st.ApiError } | { kind: "slow"; ms: number };

/** The injector the HTTP front consults. */
export interface ApiFaults {
  /** Change some settings (the others keep their values); rates are clamped to [0, 1]. */
  set(next: Partial<ApiFaultSettings>): ApiFaultSettings;
  settings(): ApiFaultSettings;
  counts(): ApiFaultCounts;
  /** Total injected faults of every kind. */
  total(): number;
  /** Draw the fault of one resource request (`write`: it changes state). */
  decide(req: { method: string; write: boolean; resource: string }): FaultDecision;
  /** Record that `n` watch streams were cut. */
  countWatchCut(n: number): void;
  /** Record one history expiry (410 Gone for watchers). */
  countGone(): void;
}

/** No faults. */
export const noFaults: ApiFaultSettings = { errorRate: 0, conflictRate: 0, slowRate: 0, slowMs: 0 };

const clamp = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** An injector with no faults set, drawing from a stream seeded by `seed`. */
export function createApiFaults(seed = 1): ApiFaults {
  const rng = createRng(hashSeed("sim-cluster-faults", seed));
  let current: ApiFaultSettings = { ...noFaults };
  const counts: ApiFaultCounts = { error500: 0, error503: 0, conflict409: 0, slow: 0, watchCut: 0, gone410: 0 };
  return {
    set(next) {
      current = {
        errorRate: clamp(next.errorRate ?? current.errorRate),
        conflictRate: clamp(next.conflictRate ?? current.conflictRate),
        slowRate: clamp(next.slowRate ?? current.slowRate),
        slowMs: Math.max(0, Math.round(next.slowMs ?? current.slowMs)),
      };
      return { ...current };
    },
    settings: () => ({ ...current }),
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    decide({ write, resource }) {
      if (current.errorRate > 0 && rng.next() < current.errorRate) {
        if (rng.next() < 0.5) {
          counts.error500++;
          return { kind: "error", error: st.internalError(new Error("injected fault (sim-cluster)")) };
        }
        counts.error503++;
        return { kind: "error", error: new st.ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "ServiceUnavailable", message: "the server is currently unable to handle the request (injected fault)", code: 503 }) };
      }
      if (write && current.conflictRate > 0 && rng.next() < current.conflictRate) {
        counts.conflict409++;
        const [plural = resource, group = ""] = resource.split(/\.(.*)/s);
        return { kind: "error", error: st.conflict({ group, resource: plural }, "(injected)") };
      }
      if (current.slowRate > 0 && current.slowMs > 0 && rng.next() < current.slowRate) {
        counts.slow++;
        return { kind: "slow", ms: current.slowMs };
      }
      return { kind: "none" };
    },
    countWatchCut(n) {
      counts.watchCut += n;
    },
    countGone() {
      counts.gone410++;
    },
  };
}

/** Parse a `PUT /_sim/faults` body into settings; throws a 400 naming the bad field. */
export function parseFaultSettings(body: unknown): Partial<ApiFaultSettings> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw st.badRequest("faults: the body must be a JSON object");
  const out: Partial<ApiFaultSettings> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (!(k in noFaults)) throw st.badRequest(`faults: unknown setting "${k}"; known: ${Object.keys(noFaults).join(", ")}`);
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw st.badRequest(`faults: "${k}" must be a number ≥ 0`);
    out[k as keyof ApiFaultSettings] = v;
  }
  return out;
}
