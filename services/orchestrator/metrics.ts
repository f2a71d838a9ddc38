/** The orchestrator's own Prometheus metrics (prom-client), on a registry the caller owns. */
import { Counter, Histogram, Registry as PromRegistry } from "prom-client";
import { SiskinError } from "../../schemas/errors.js";
import type { JsonKv } from "../runtime/kv.js";

/** What happened to one event for one release. */
export type EventOutcome = "applied" | "unchanged" | "duplicate" | "unrouted" | "failed";

/** Counters and timings of the orchestrator; benchmarks read `kvOps` to see the cost per event. */
export interface OrchestratorMetrics {
  /** The registry the metrics live on (served at `/metrics`). */
  registry: PromRegistry;
  /** Events (and ticks) handled per release, by subject and outcome. */
  events: Counter<"subject" | "outcome">;
  /** Statechart transitions (audit entries), by target state. */
  transitions: Counter<"to">;
  /** KV operations, by bucket, operation and outcome (`ok`, `conflict`, `error`). */
  kvOps: Counter<"bucket" | "op" | "outcome">;
  /** Commands published, by subject and whether JetStream dropped them as duplicates. */
  published: Counter<"subject" | "duplicate">;
  /** Duration of one tick over all live releases. */
  tickDuration: Histogram<never>;
}

/** Create the metrics on `registry` (a fresh one by default, so tests never share state). */
export function createOrchestratorMetrics(registry: PromRegistry = new PromRegistry()): OrchestratorMetrics {
  return {
    registry,
    events: new Counter({
      name: "siskin_orchestrator_events_total",
      help: "Events and ticks the orchestrator handled per release, by outcome.",
      labelNames: ["subject", "outcome"] as const,
      registers: [registry],
    }),
    transitions: new Counter({
      name: "siskin_orchestrator_transitions_total",
      help: "Statechart transitions of releases, by target state.",
      labelNames: ["to"] as const,
      registers: [registry],
    }),
    kvOps: new Counter({
      name: "siskin_orchestrator_kv_ops_total",
      help: "JetStream KV operations of the orchestrator, by bucket, operation and outcome.",
      labelNames: ["bucket", "op", "outcome"] as const,
      registers: [registry],
    }),
    published: new Counter({
      name: "siskin_orchestrator_commands_published_total",
      help: "Commands (and release events) the orchestrator published; duplicate=true were dropped by JetStream's msgID dedupe.",
      labelNames: ["subject", "duplicate"] as const,
      registers: [registry],
    }),
    tickDuration: new Histogram({
      name: "siskin_orchestrator_tick_duration_seconds",
      help: "Duration of one tick over every live release.",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}

/** `kv` with every operation counted in `metrics.kvOps` under `bucket`. */
export function instrumentKv(kv: JsonKv, bucket: string, metrics: OrchestratorMetrics): JsonKv {
  const count = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
    try {
      const out = await run();
      metrics.kvOps.inc({ bucket, op, outcome: "ok" });
      return out;
    } catch (err) {
      const conflict = err instanceof SiskinError && err.code === "SISKIN_ERR_CONFLICT";
      metrics.kvOps.inc({ bucket, op, outcome: conflict ? "conflict" : "error" });
      throw err;
    }
  };
  return {
    get: (key) => count("get", () => kv.get(key)),
    create: (key, value) => count("create", () => kv.create(key, value)),
    update: (key, value, revision) => count("update", () => kv.update(key, value, revision)),
    put: (key, value) => count("put", () => kv.put(key, value)),
    delete: (key) => count("delete", () => kv.delete(key)),
    keys: () => count("keys", () => kv.keys()),
    entries: () => count("entries", () => kv.entries()),
  };
}

/** The total of a counter over the label values that match `where`. */
export async function counterTotal(counter: Counter<string>, where: Record<string, string> = {}): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(where).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
