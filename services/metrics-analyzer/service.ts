/**
 * The metrics-analyzer: `cmd.analysis.start` / `cmd.analysis.stop` keep the registry (KV) of active
 * analyses; every tick runs one PromQL query per metric per interval length for all due releases,
 * fans the results out, judges them and publishes one `evt.analysis.completed` per release.
 * Stateless: everything it knows is in KV, so any number of replicas may run.
 */
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { Command } from "../../schemas/subjects.js";
import { createAnalyzerMetrics, type AnalyzerMetrics } from "./analyzer-metrics.js";
import { builtinQuery, istioLabels, type LabelNames } from "./builtin-queries.js";
import { analysisMessageId, evaluateRelease, type QueryOutcome } from "./evaluate.js";
import { dueWindows, planQueries, releaseMatchers, type PlannedQuery } from "./plan.js";
import type { Clock, Judge, Log, Metrics, PublishCompleted, Registry, StoredRegistration } from "./ports.js";
import { sameAnalysis, type Registration } from "./registration.js";
import { silentLog } from "../runtime/ports.js";
import { advanceCounts, sequentialMessageId, sequentialRegression, sequentialVerdicts, settingsOf } from "./sequential-counts.js";

/** The analyzer's dependencies (ports). */
export interface AnalyzerDeps {
  metrics: Metrics;
  registry: Registry;
  publish: PublishCompleted;
  judge: Judge;
  clock: Clock;
  /** Series labels (default Istio's `destination_*`). */
  labels?: LabelNames;
  /** Counters (default: fresh ones on a private registry). */
  analyzerMetrics?: AnalyzerMetrics;
  log?: Log;
  /** Queries in flight at once (default 4). */
  queryConcurrency?: number;
}

/** What one tick did. */
export interface TickReport {
  /** Releases whose window was due. */
  due: number;
  /** PromQL queries sent. */
  queries: number;
  /** Queries that failed. */
  failedQueries: number;
  /** `evt.analysis.completed` messages published. */
  published: number;
}

type AnalysisCommand = MessageOf<typeof Command.analysisStart> | MessageOf<typeof Command.analysisStop>;


/** Releases whose `evt.analysis.completed` publish and registry write are in flight at once. */
const PUBLISH_CONCURRENCY = 32;

async function runLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Build the analyzer's handlers. */
export function createService(deps: AnalyzerDeps) {
  const labels = deps.labels ?? istioLabels;
  const counters = deps.analyzerMetrics ?? createAnalyzerMetrics();
  const log = deps.log ?? silentLog;
  const concurrency = Math.max(1, deps.queryConcurrency ?? 4);

  function releaseIdOf(msg: AnalysisCommand): string {
    if (msg.releaseId === undefined) {
      throw new SiskinError("SISKIN_ERR_INVALID_MESSAGE", `${msg.type} ${msg.id} has no releaseId in its envelope; the orchestrator must set it`);
    }
    return msg.releaseId;
  }

  /** Register (idempotent): a redelivered start changes nothing; a different one replaces the analysis. */
  async function start(msg: MessageOf<typeof Command.analysisStart>): Promise<{ registered: boolean }> {
    const releaseId = releaseIdOf(msg);
    const occurred = Date.parse(msg.occurredAt);
    const wanted: Registration = { ...msg.data, releaseId, startedAt: Number.isFinite(occurred) ? occurred : deps.clock() };
    const existing = await deps.registry.get(releaseId);
    if (existing !== null && sameAnalysis(existing.registration, wanted)) return { registered: false };
    const saved = await deps.registry.save(wanted, existing?.revision);
    if (!saved) {
      throw new SiskinError("SISKIN_ERR_CONFLICT", `analysis registration of ${releaseId} changed while it was being written; retrying the start`);
    }
    log.info({ releaseId, metrics: wanted.metrics.map((m) => m.name), intervalSeconds: wanted.intervalSeconds }, "analysis registered");
    return { registered: true };
  }

  async function stop(msg: MessageOf<typeof Command.analysisStop>): Promise<void> {
    const releaseId = releaseIdOf(msg);
    await deps.registry.remove(releaseId);
    log.info({ releaseId, reason: msg.data.reason }, "analysis stopped");
  }

  /** The consumer's handler for the analyzer's commands. */
  async function handle(msg: AnalysisCommand): Promise<void> {
    if (msg.type === Command.analysisStart) await start(msg as MessageOf<typeof Command.analysisStart>);
    else await stop(msg as MessageOf<typeof Command.analysisStop>);
  }

  async function runQuery(q: PlannedQuery): Promise<QueryOutcome> {
    try {
      const series = await deps.metrics.query(q.promql, q.timeMs);
      counters.queries.inc({ kind: q.kind, outcome: "ok" });
      return { ok: true, series };
    } catch (err) {
      counters.queries.inc({ kind: q.kind, outcome: "error" });
      const error = err instanceof Error ? err.message : String(err);
      log.warn({ kind: q.kind, err: error }, "prometheus query failed");
      return { ok: false, error };
    }
  }

  /**
   * Sequential releases, every tick: three queries for all of them (requests, 5xx, duration buckets),
   * their counts advanced, and an immediate `evt.analysis.completed` with a critical verdict when the
   * evidence crosses the rollback bound. Returns the advanced registrations to save.
   */
  async function sequentialPass(stored: readonly StoredRegistration[], now: number): Promise<{ updated: Map<string, Registration>; queries: number; failed: number; published: number }> {
    const updated = new Map<string, Registration>();
    const seq = stored.filter((s) => settingsOf(s.registration) !== null);
    if (seq.length === 0) return { updated, queries: 0, failed: 0, published: 0 };
    const matchers = releaseMatchers(seq, labels);
    const kinds = ["requests-total", "errors-total", "duration-buckets"] as const;
    const results = await runLimited(kinds, concurrency, (kind) =>
      runQuery({ key: `${now} ${kind}`, kind, promql: builtinQuery(kind, labels, matchers, 1), timeMs: now }),
    );
    const series = results.map((r) => (r.ok ? r.series : null));
    let published = 0;
    await runLimited(seq, PUBLISH_CONCURRENCY, async ({ registration: reg }) => {
      const counts = advanceCounts(reg, { requests: series[0] ?? null, errors: series[1] ?? null, buckets: series[2] ?? null }, labels);
      if (counts === null) return;
      updated.set(reg.releaseId, { ...reg, counts });
      if (!sequentialRegression(reg, counts)) return;
      const verdicts = [...sequentialVerdicts(reg, counts).values()].filter((v) => v.critical);
      try {
        await deps.publish({
          id: sequentialMessageId(reg.releaseId),
          releaseId: reg.releaseId,
          data: { windowStart: reg.startedAt, windowEnd: now, canaryVersion: reg.canaryVersion, verdicts },
        });
        counters.published.inc({ outcome: "ok" });
        published++;
        log.info({ releaseId: reg.releaseId, reason: verdicts.map((v) => v.reason).join("; ") }, "sequential evidence of a regression");
      } catch (err) {
        counters.published.inc({ outcome: "error" });
        log.error({ releaseId: reg.releaseId, err: err instanceof Error ? err.message : String(err) }, "publishing the sequential rollback failed");
      }
    });
    return { updated, queries: kinds.length, failed: results.filter((r) => !r.ok).length, published };
  }

  /** Judge every release whose window is due at `now` (default: the clock). */
  async function tick(now: number = deps.clock()): Promise<TickReport> {
    const stored = await deps.registry.list();
    const seq = await sequentialPass(stored, now);
    const windows = dueWindows(stored, now);
    const saveSequential = async (skip: ReadonlySet<string>) => {
      const left = stored.filter((s) => !skip.has(s.registration.releaseId) && seq.updated.has(s.registration.releaseId));
      await runLimited(left, PUBLISH_CONCURRENCY, (s) =>
        deps.registry.save(seq.updated.get(s.registration.releaseId) as Registration, s.revision).catch((err: unknown) => {
          log.warn({ releaseId: s.registration.releaseId, err: err instanceof Error ? err.message : String(err) }, "recording the sequential counts failed");
          return false;
        }),
      );
    };
    if (windows.length === 0) {
      await saveSequential(new Set());
      return { due: 0, queries: seq.queries, failedQueries: seq.failed, published: seq.published };
    }
    const plan = planQueries(windows, labels);
    const results = await runLimited(plan.queries, concurrency, runQuery);
    const outcomes = new Map<string, QueryOutcome>(plan.queries.map((q, i) => [q.key, results[i] as QueryOutcome]));

    let published = seq.published;
    const recorded = new Set<string>();
    // Releases are independent: their publish + record round trips overlap (one at a time, 5,000
    // releases spent ~1 ms each waiting on JetStream); each release still publishes before it records.
    await runLimited(plan.releases, PUBLISH_CONCURRENCY, async (release) => {
      const reg = seq.updated.get(release.window.registration.releaseId) ?? release.window.registration;
      const data = evaluateRelease(release, outcomes, deps.judge, labels);
      if (reg.counts !== undefined) {
        const byName = sequentialVerdicts(reg, reg.counts);
        data.verdicts = data.verdicts.map((v) => byName.get(v.metric) ?? v);
      }
      try {
        await deps.publish({ id: analysisMessageId(reg.releaseId, data.windowEnd), releaseId: reg.releaseId, data });
        counters.published.inc({ outcome: "ok" });
        published++;
      } catch (err) {
        // Not marked judged: the next tick in the same window publishes it again (same msgID).
        counters.published.inc({ outcome: "error" });
        log.error({ releaseId: reg.releaseId, err: err instanceof Error ? err.message : String(err) }, "publishing the analysis failed");
        return;
      }
      recorded.add(reg.releaseId);
      // A lost race means the analysis was stopped or replaced meanwhile: nothing to record.
      await deps.registry.save({ ...reg, lastWindowEnd: data.windowEnd }, release.window.revision).catch((err: unknown) => {
        log.warn({ releaseId: reg.releaseId, err: err instanceof Error ? err.message : String(err) }, "recording the judged window failed");
      });
    });
    await saveSequential(recorded);
    return {
      due: windows.length,
      queries: plan.queries.length + seq.queries,
      failedQueries: results.filter((r) => !r.ok).length + seq.failed,
      published,
    };
  }

  return { start, stop, handle, tick, counters };
}

/** The analyzer's handlers. */
export type AnalyzerService = ReturnType<typeof createService>;
