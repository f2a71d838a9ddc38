/** The VMRollout spec with every default filled in: what workflows and workers read. */
import type { MetricSpec, NoDataPolicy, StepSpec, VMRolloutSpec } from "./rollout.js";

/** Default steps: 10 → 50 → 100. */
export const defaultSteps: readonly StepSpec[] = [{ weight: 10 }, { weight: 50 }, { weight: 100 }];

/** Default metrics: error rate (absolute and relative to stable) and p99 latency relative to stable. */
export const defaultMetrics: readonly MetricSpec[] = [
  { name: "error-rate", builtin: "error-rate", unit: "percent", max: 1, relative: { maxDelta: 0.5 }, criticalMax: 20 },
  { name: "latency-p99", builtin: "latency-p99", unit: "ms", relative: { maxRatio: 1.2 } },
];

/** A spec whose optional knobs are resolved. */
export interface ResolvedRollout {
  spec: VMRolloutSpec;
  versionLabel: string;
  steps: StepSpec[];
  intervalMs: number;
  failureLimit: number;
  inconclusiveLimit: number;
  errorLimit: number;
  noData: NoDataPolicy;
  minRequests: number;
  metrics: MetricSpec[];
  alertMatchers: Array<Record<string, string>>;
  progressDeadlineMs: number;
  rollbackWindowMs: number;
  /** Versions kept deployed after a promotion, stable and previous included. */
  revisionHistoryLimit: number;
  keepCanaryOnRollback: boolean;
  approvers: { users: string[]; groups: string[] };
  /** Sequential judging, when the spec asks for it. */
  sequential: { alpha: number; latencyShareDelta: number } | null;
}

/** Defaults of `analysis.sequential` (see docs/decisions/sequential-analysis.md for the choice). */
export const defaultSequential = { alpha: 0.05, latencyShareDelta: 2 } as const;

/** Fill every default of a (valid) spec. Pure. */
export function resolveRollout(spec: VMRolloutSpec): ResolvedRollout {
  const a = spec.analysis ?? {};
  return {
    spec,
    versionLabel: spec.versionLabel ?? "version",
    steps: (spec.steps ?? defaultSteps).map((s) => ({ ...s })),
    intervalMs: (a.intervalSeconds ?? 60) * 1000,
    failureLimit: a.failureLimit ?? 1,
    inconclusiveLimit: a.inconclusiveLimit ?? 2,
    errorLimit: a.errorLimit ?? 4,
    noData: a.noData ?? "hold",
    minRequests: a.minRequests ?? 20,
    metrics: (a.metrics ?? defaultMetrics).map((m) => ({ ...m })),
    alertMatchers: (a.alerts ?? []).map((m) => ({ ...m.labels })),
    progressDeadlineMs: (spec.progressDeadlineSeconds ?? 600) * 1000,
    rollbackWindowMs: (spec.rollbackWindowSeconds ?? 600) * 1000,
    revisionHistoryLimit: spec.revisionHistoryLimit ?? 2,
    keepCanaryOnRollback: spec.keepCanaryOnRollback ?? false,
    approvers: { users: [...(spec.approvers?.users ?? [])], groups: [...(spec.approvers?.groups ?? [])] },
    sequential:
      a.sequential === undefined
        ? null
        : { alpha: a.sequential.alpha ?? defaultSequential.alpha, latencyShareDelta: a.sequential.latencyShareDelta ?? defaultSequential.latencyShareDelta },
  };
}

/** The VirtualMachine name of a version: `<service>-<version>` made a valid DNS-1123 name. */
export function vmNameFor(service: string, version: string): string {
  const raw = `${service}-${version}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-");
  return raw.slice(0, 63).replace(/^-+|-+$/g, "");
}
