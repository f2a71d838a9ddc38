/**
 * Query planning. Pure: from the registry and the time, which releases are due, and the PromQL to
 * run — one query per metric per interval length for all due releases, never one per release.
 *
 * Windows sit on a grid aligned to the epoch: the window of length I that ends at
 * `floor(now / I) * I`. All releases with the same interval share the window, so one query evaluated
 * at its end serves them all, and two replicas (or a restart) compute the same window and the same
 * message id, which JetStream de-duplicates. A release's first window starts no earlier than its
 * analysis did. Missed windows (the worker was down) are skipped: only the latest is judged.
 */
import type { MetricSpec } from "../../schemas/rollout.js";
import { builtinQuery, type BuiltinQueryKind, type LabelNames } from "./builtin-queries.js";
import type { StoredRegistration } from "./ports.js";
import { labelIn } from "./promql-escape.js";
import { renderTemplate } from "./promql-template.js";
import type { Registration } from "./registration.js";

/** A release due for judging, and its window (ms). */
export interface DueWindow {
  registration: Registration;
  revision: number;
  windowStart: number;
  windowEnd: number;
}

/** One PromQL query of the plan. */
export interface PlannedQuery {
  /** Identity of the query within the plan (time + text). */
  key: string;
  /** `custom` for a rollout's template, else what the built-in computes. */
  kind: BuiltinQueryKind | "custom";
  promql: string;
  /** Evaluation time (ms): the end of the window. */
  timeMs: number;
}

/** Where a release's metric gets its numbers. */
export type MetricSource =
  | {
      kind: "query";
      spec: MetricSpec;
      /** Key of the query giving the metric's value. */
      valueKey: string;
      /** Key of the 5xx count query (error-rate with a statistical test). */
      errorsKey?: string;
      /**
       * The query was rendered for this release's namespace / service, so series without that label
       * are this release's (custom templates that filter instead of grouping).
       */
      specific: { namespace: boolean; service: boolean };
    }
  | { kind: "invalid"; spec: MetricSpec; reason: string };

/** One due release: its window and the sources of each of its metrics. */
export interface ReleasePlan {
  window: DueWindow;
  /** Key of the request count query. */
  requestsKey: string;
  metrics: MetricSource[];
}

/** The plan of one tick. */
export interface QueryPlan {
  queries: PlannedQuery[];
  releases: ReleasePlan[];
}

/** Interval length in ms (at least 1 s). */
export function intervalMs(reg: Pick<Registration, "intervalSeconds">): number {
  return Math.max(1, Math.floor(reg.intervalSeconds)) * 1000;
}

/** The window of `reg` due at `now`, or null when none is. */
export function dueWindow(stored: StoredRegistration, now: number): DueWindow | null {
  const reg = stored.registration;
  const len = intervalMs(reg);
  const windowEnd = Math.floor(now / len) * len;
  if (windowEnd - len < reg.startedAt) return null;
  if (reg.lastWindowEnd !== undefined && windowEnd <= reg.lastWindowEnd) return null;
  return { registration: reg, revision: stored.revision, windowStart: windowEnd - len, windowEnd };
}

/** Every due window at `now`, ordered by release id. */
export function dueWindows(stored: readonly StoredRegistration[], now: number): DueWindow[] {
  return stored
    .map((s) => dueWindow(s, now))
    .filter((w): w is DueWindow => w !== null)
    .sort((a, b) => (a.registration.releaseId < b.registration.releaseId ? -1 : a.registration.releaseId > b.registration.releaseId ? 1 : 0));
}

/** Matchers restricting a query to the namespaces, services and versions of `windows`. */
export function releaseMatchers(windows: ReadonlyArray<Pick<DueWindow, "registration">>, labels: LabelNames): string {
  const regs = windows.map((w) => w.registration);
  return [
    labelIn(labels.namespace, regs.map((r) => r.namespace)),
    labelIn(labels.service, regs.map((r) => r.service)),
    labelIn(labels.version, regs.flatMap((r) => [r.canaryVersion, r.stableVersion])),
  ].join(", ");
}

/** Build the queries of one tick for `windows` (see {@link dueWindows}). */
export function planQueries(windows: readonly DueWindow[], labels: LabelNames): QueryPlan {
  const queries = new Map<string, PlannedQuery>();
  const add = (kind: PlannedQuery["kind"], promql: string, timeMs: number): string => {
    const key = `${timeMs} ${promql}`;
    if (!queries.has(key)) queries.set(key, { key, kind, promql, timeMs });
    return key;
  };

  // Releases sharing an interval length share the window end, hence the queries.
  const groups = new Map<number, DueWindow[]>();
  for (const w of windows) {
    const len = intervalMs(w.registration);
    const group = groups.get(len);
    if (group === undefined) groups.set(len, [w]);
    else group.push(w);
  }

  const releases: ReleasePlan[] = [];
  for (const [len, group] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const seconds = len / 1000;
    const matchers = releaseMatchers(group, labels);
    // The matchers name every release of the group, so each text is built (and hashed) once per
    // kind and window end, not once per release: that made planning O(n²) in the releases.
    const built = new Map<string, string>();
    const builtin = (kind: BuiltinQueryKind, timeMs: number) => {
      const memo = `${kind} ${timeMs}`;
      let key = built.get(memo);
      if (key === undefined) {
        key = add(kind, builtinQuery(kind, labels, matchers, seconds), timeMs);
        built.set(memo, key);
      }
      return key;
    };
    for (const w of group) {
      const reg = w.registration;
      const requestsKey = builtin("requests", w.windowEnd);
      const metrics = reg.metrics.map((spec): MetricSource => {
        if (spec.builtin !== undefined && spec.query !== undefined) {
          return { kind: "invalid", spec, reason: `metric "${spec.name}" sets both builtin and query; keep one` };
        }
        if (spec.builtin !== undefined) {
          const source: MetricSource = {
            kind: "query",
            spec,
            valueKey: builtin(spec.builtin, w.windowEnd),
            specific: { namespace: false, service: false },
          };
          if (spec.builtin === "error-rate" && spec.statistical !== undefined) source.errorsKey = builtin("errors", w.windowEnd);
          return source;
        }
        if (spec.query !== undefined) {
          const r = renderTemplate(spec.query, { namespace: reg.namespace, service: reg.service, intervalSeconds: seconds });
          if (!r.ok) return { kind: "invalid", spec, reason: `metric "${spec.name}": ${r.reason}` };
          return {
            kind: "query",
            spec,
            valueKey: add("custom", r.text, w.windowEnd),
            specific: { namespace: r.scope.namespace, service: r.scope.service },
          };
        }
        return { kind: "invalid", spec, reason: `metric "${spec.name}" has neither builtin nor query; set one` };
      });
      releases.push({ window: w, requestsKey, metrics });
    }
  }
  return { queries: [...queries.values()], releases };
}
