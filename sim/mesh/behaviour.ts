// The scripted behaviour of a simulated VM: what its `sim.siskin.dev/*` annotations say, and the
// pure per-request answer (status code and latency) that follows from it.
import { fitLogNormal, LatencyProfile, sampleLatency, type LatencyTarget, type LogNormal } from "./latency.js";
import type { Rng } from "./prng.js";

/** The VMI annotations that script a simulated VM (set on the VM template, copied to the VMI). */
export const Annotation = {
  /** Share of requests answered with an error code, 0..1 (e.g. "0.2"). */
  errorRate: "sim.siskin.dev/error-rate",
  /** Comma-separated status codes errors are drawn from, uniformly (default "500"). */
  errorCodes: "sim.siskin.dev/error-codes",
  /** Scripted median latency in ms. */
  latencyP50: "sim.siskin.dev/latency-p50-ms",
  /** Scripted 99th-percentile latency in ms. */
  latencyP99: "sim.siskin.dev/latency-p99-ms",
  /** Baseline latency: fast | normal (default) | slow. */
  latencyProfile: "sim.siskin.dev/latency-profile",
  /** Extra latency in ms while the VMI is live-migrating. */
  migrationLatency: "sim.siskin.dev/migration-latency-ms",
  /** The scripted errors and latency start this many seconds after the VMI became Ready. */
  faultAfter: "sim.siskin.dev/fault-after-seconds",
} as const;

/** A parsed script. */
export interface Behaviour {
  /** Share of errors once the fault is active (0..1). */
  errorRate: number;
  /** Codes errors are drawn from. */
  errorCodes: number[];
  /** Latency before the fault starts (and after, when no p50/p99 is scripted). */
  baseline: LogNormal;
  /** Latency once the fault is active. */
  faulty: LogNormal;
  /** Extra ms added while migrating. */
  migrationLatencyMs: number;
  /** Delay from Ready to the start of the fault, ms. */
  faultAfterMs: number;
}

/** A behaviour and the annotation problems met while parsing it (a bad value is ignored, not guessed). */
export interface ParsedBehaviour {
  behaviour: Behaviour;
  problems: string[];
}

function number(
  annotations: Record<string, string>,
  key: string,
  problems: string[],
  check: (n: number) => boolean,
  expect: string,
): number | undefined {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n) || !check(n)) {
    problems.push(`annotation ${key}="${raw}" ignored: expected ${expect}`);
    return undefined;
  }
  return n;
}

function codes(raw: string | undefined, problems: string[]): number[] {
  if (raw === undefined) return [500];
  const parsed = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const ok = parsed.every((s) => /^[1-5][0-9][0-9]$/.test(s));
  if (parsed.length === 0 || !ok) {
    problems.push(`annotation ${Annotation.errorCodes}="${raw}" ignored: expected HTTP codes like "500,503"`);
    return [500];
  }
  return parsed.map(Number);
}

function profile(raw: string | undefined, problems: string[]): LatencyTarget {
  if (raw === undefined) return LatencyProfile.normal;
  if (Object.hasOwn(LatencyProfile, raw)) return LatencyProfile[raw as LatencyProfile];
  problems.push(`annotation ${Annotation.latencyProfile}="${raw}" ignored: expected one of ${Object.keys(LatencyProfile).join(", ")}`);
  return LatencyProfile.normal;
}

/**
 * Parses the `sim.siskin.dev/*` annotations. With only one of p50/p99 scripted, the other keeps the
 * baseline profile's p99/p50 ratio. Other `sim.siskin.dev/*` keys belong to the cluster simulator
 * (VM lifecycle) and are not looked at here.
 */
export function parseBehaviour(annotations: Record<string, string> = {}): ParsedBehaviour {
  const problems: string[] = [];
  const positive = (n: number) => n > 0;
  const errorRate = number(annotations, Annotation.errorRate, problems, (n) => n >= 0 && n <= 1, "a number 0..1") ?? 0;
  const base = profile(annotations[Annotation.latencyProfile], problems);
  const ratio = base.p99Ms / base.p50Ms;
  let p50 = number(annotations, Annotation.latencyP50, problems, positive, "a positive number of ms");
  let p99 = number(annotations, Annotation.latencyP99, problems, positive, "a positive number of ms");
  if (p50 !== undefined && p99 !== undefined && p99 < p50) {
    problems.push(`annotations ${Annotation.latencyP99}=${p99} < ${Annotation.latencyP50}=${p50}: p99 raised to p50`);
    p99 = p50;
  }
  if (p50 === undefined && p99 !== undefined) p50 = p99 / ratio;
  if (p99 === undefined && p50 !== undefined) p99 = p50 * ratio;
  const baseline = fitLogNormal(base);
  return {
    behaviour: {
      errorRate,
      errorCodes: codes(annotations[Annotation.errorCodes], problems),
      baseline,
      faulty: p50 !== undefined && p99 !== undefined ? fitLogNormal({ p50Ms: p50, p99Ms: p99 }) : baseline,
      migrationLatencyMs: number(annotations, Annotation.migrationLatency, problems, (n) => n >= 0, "a number of ms ≥ 0") ?? 0,
      faultAfterMs: (number(annotations, Annotation.faultAfter, problems, (n) => n >= 0, "a number of seconds ≥ 0") ?? 0) * 1000,
    },
    problems,
  };
}

/** What the workload's condition adds to its script at the moment of a request. */
export interface WorkloadCondition {
  /** Epoch ms at which the VMI became Ready (its Ready condition's lastTransitionTime). */
  readySinceMs: number | undefined;
  /** A live migration is in progress. */
  migrating: boolean;
}

/** One simulated answer. */
export interface Answer {
  code: number;
  latencyMs: number;
}

/** True once the scripted fault applies: `fault-after-seconds` after Ready (immediately when not set). */
export function faultActive(b: Behaviour, c: WorkloadCondition, nowMs: number): boolean {
  if (b.faultAfterMs <= 0) return true;
  return c.readySinceMs !== undefined && nowMs - c.readySinceMs >= b.faultAfterMs;
}

/**
 * The answer of a Ready workload to one request. Always draws the same three numbers per request
 * (latency, error, code), so a script change does not shift the random stream of other requests.
 */
export function answer(b: Behaviour, c: WorkloadCondition, nowMs: number, rng: Rng): Answer {
  const active = faultActive(b, c, nowMs);
  const latency = sampleLatency(active ? b.faulty : b.baseline, rng);
  const errorDraw = rng.next();
  const codeDraw = rng.next();
  const extra = c.migrating ? b.migrationLatencyMs : 0;
  const failing = active && errorDraw < b.errorRate;
  const code = failing ? (b.errorCodes[Math.floor(codeDraw * b.errorCodes.length)] ?? 500) : 200;
  return { code, latencyMs: latency + extra };
}
