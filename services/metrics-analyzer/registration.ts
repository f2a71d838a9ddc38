/**
 * An active analysis as stored in the KV bucket `Bucket.analyses` (key: `releaseKey(releaseId)`):
 * the `cmd.analysis.start` payload plus what the analyzer needs to pick the next window.
 */
import { Type, type Static } from "typebox";
import { Compile } from "typebox/compile";
import { AnalysisStart } from "../../schemas/analysis.js";
import { EpochMs, ReleaseId } from "../../schemas/common.js";

/** Requests, 5xx and requests slower than the latency boundary of one version. */
export const Counts = Type.Object({ requests: Type.Number({ minimum: 0 }), errors: Type.Number({ minimum: 0 }), slow: Type.Number({ minimum: 0 }) }, { additionalProperties: false });
export type Counts = Static<typeof Counts>;

/** The running counts of a sequential analysis. */
export const SequentialCounts = Type.Object(
  {
    /** The duration bucket boundary (ms) slow requests are counted above; null without a histogram. */
    boundaryMs: Type.Union([Type.Number(), Type.Null()]),
    /** The raw counters at the last tick, to difference the next one against. */
    last: Type.Object({ canary: Counts, stable: Counts }, { additionalProperties: false }),
    /** Counted since the analysis started. */
    totals: Type.Object({ canary: Counts, stable: Counts }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type SequentialCounts = Static<typeof SequentialCounts>;

/** One active analysis. */
export const Registration = Type.Object(
  {
    ...AnalysisStart.properties,
    /** The release judged. */
    releaseId: ReleaseId,
    /** When the analysis started (ms): the `cmd.analysis.start` envelope's `occurredAt`. */
    startedAt: EpochMs,
    /** End (ms) of the last window published; absent before the first. */
    lastWindowEnd: Type.Optional(EpochMs),
    /** Sequential analysis: the counts so far (absent before the first tick). */
    counts: Type.Optional(SequentialCounts),
  },
  { additionalProperties: false },
);
export type Registration = Static<typeof Registration>;

const check = Compile(Registration);

/** Validate a value read from KV; returns the problems (empty when valid). */
export function registrationProblems(value: unknown): string[] {
  if (check.Check(value)) return [];
  return [...check.Errors(value)].slice(0, 5).map((e) => `${e.instancePath || "/"}: ${e.message}`);
}

/** True when two registrations ask for the same analysis (ignoring when it started and how far it got). */
export function sameAnalysis(a: Registration, b: Registration): boolean {
  const strip = ({ startedAt: _s, lastWindowEnd: _l, counts: _c, ...rest }: Registration) => rest;
  return JSON.stringify(canonical(strip(a))) === JSON.stringify(canonical(strip(b)));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
