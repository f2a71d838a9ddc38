/**
 * An active analysis as stored in the KV bucket `Bucket.analyses` (key: `releaseKey(releaseId)`):
 * the `cmd.analysis.start` payload plus what the analyzer needs to pick the next window.
 */
import { Type, type Static } from "typebox";
import { Compile } from "typebox/compile";
import { AnalysisStart } from "../../schemas/analysis.js";
import { EpochMs, ReleaseId } from "../../schemas/common.js";

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
  const strip = ({ startedAt: _s, lastWindowEnd: _l, ...rest }: Registration) => rest;
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
