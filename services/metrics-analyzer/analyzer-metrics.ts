/** The analyzer's own Prometheus metrics (prom-client), on a registry the caller owns. */
import { Counter, Registry as PromRegistry } from "prom-client";

/** Counters of the analyzer; tests and benchmarks read `queries` to check the cost per interval. */
export interface AnalyzerMetrics {
  /** The registry the counters live on (served at `/metrics`). */
  registry: PromRegistry;
  /** PromQL queries sent, by kind (`error-rate`, `requests`, `custom`, ...) and outcome (`ok`, `error`). */
  queries: Counter<"kind" | "outcome">;
  /** `evt.analysis.completed` messages published, by outcome (`ok`, `error`). */
  published: Counter<"outcome">;
}

/** Create the counters on `registry` (a fresh one by default, so tests never share state). */
export function createAnalyzerMetrics(registry: PromRegistry = new PromRegistry()): AnalyzerMetrics {
  return {
    registry,
    queries: new Counter({
      name: "siskin_analyzer_queries_total",
      help: "PromQL queries sent by the metrics-analyzer (one per metric per interval, whatever the number of releases).",
      labelNames: ["kind", "outcome"] as const,
      registers: [registry],
    }),
    published: new Counter({
      name: "siskin_analyzer_published_total",
      help: "evt.analysis.completed messages published by the metrics-analyzer.",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
  };
}

/** The total of a counter over all its label values. */
export async function counterTotal(counter: Counter<string>): Promise<number> {
  const { values } = await counter.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}
