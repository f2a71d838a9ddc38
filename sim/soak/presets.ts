/** The soak's sizes, chaos schedules, JetStream settings and decision bound. */
import type { ChaosOptions } from "./chaos.js";
import type { DecisionBound } from "./invariants.js";
import type { SoakJetStream } from "./run.js";

/** The sizes and schedules of `--quick` and the full run. */
export interface SoakPreset {
  releases: number;
  services: number;
  releaseTimeoutMs: number;
  chaos: Omit<ChaosOptions, "seed">;
}

const apiFaults = { errorRate: 0.05, conflictRate: 0.05, slowRate: 0.05, slowMs: 300 };
const slack429 = { atMs: 15_000, times: 8, retryAfterSec: 2, methods: ["chat.postMessage", "chat.update"] };

export const presets: Record<"quick" | "full", SoakPreset> = {
  quick: {
    releases: 30,
    services: 6,
    releaseTimeoutMs: 240_000,
    chaos: {
      killEveryMs: [10_000, 20_000],
      restartAfterMs: [500, 3_000],
      nats: { count: 1, firstAtMs: 25_000, everyMs: 60_000, downMs: 8_000 },
      api: apiFaults,
      watchCutEveryMs: 15_000,
      goneEveryMs: 35_000,
      prometheusOutage: { atMs: 40_000, forMs: 6_000 },
      slack429,
    },
  },
  full: {
    releases: 200,
    services: 20,
    releaseTimeoutMs: 300_000,
    chaos: {
      killEveryMs: [5_000, 10_000],
      restartAfterMs: [500, 3_000],
      nats: { count: 4, firstAtMs: 30_000, everyMs: 70_000, downMs: 10_000 },
      api: apiFaults,
      watchCutEveryMs: 15_000,
      goneEveryMs: 35_000,
      prometheusOutage: { atMs: 60_000, forMs: 6_000 },
      slack429,
    },
  },
};

/** What the soak provisions (docs/install.md recommends the same for a cluster). */
export const soakJetStream: SoakJetStream = { replicas: 3, ackWaitMs: 10_000, maxDeliver: 10 };

/** Chaos time to decision may be this much above the same release's no-chaos time. */
export const decisionBound: DecisionBound = { factor: 2, plusMs: 60_000 };

