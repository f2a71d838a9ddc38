/**
 * Child process of the scale benchmark: one metrics-analyzer (real service, KV registry, publisher and
 * Prometheus adapter) judging `size` releases against a stand-in Prometheus. Prints one JSON line.
 *
 * Measured: registration, PromQL queries per interval, the time of a tick with every release due and
 * of a tick with none due, KV operations of each, memory after GC against the baseline before the
 * releases existed, and the same plan + fan-out + judge work without any I/O (pure CPU).
 */
import { connect } from "@nats-io/transport-node";
import { message } from "../../schemas/codec.js";
import { Bucket, Command, Event } from "../../schemas/subjects.js";
import { openKv } from "../../services/runtime/kv.js";
import { createPublisher } from "../../services/runtime/publish.js";
import { istioLabels } from "../../services/metrics-analyzer/builtin-queries.js";
import { evaluateRelease, type QueryOutcome } from "../../services/metrics-analyzer/evaluate.js";
import { judge } from "../../services/metrics-analyzer/judge.js";
import { dueWindows, planQueries } from "../../services/metrics-analyzer/plan.js";
import { createPrometheusMetrics } from "../../services/metrics-analyzer/prometheus.js";
import { createKvRegistry } from "../../services/metrics-analyzer/registry-kv.js";
import { createService } from "../../services/metrics-analyzer/service.js";
import type { Series, StoredRegistration } from "../../services/metrics-analyzer/ports.js";
import { childAnswer, childInput, memoryNow } from "../lib/child.js";
import { countingKv } from "../lib/counting-kv.js";
import { analysisStartOf, releaseOf } from "./releases.js";

interface Input {
  natsUrl: string;
  prometheusUrl: string;
  size: number;
  /** Ticks with every release due (each at the next window). */
  ticks: number;
  intervalSeconds: number;
}

const input = childInput<Input>();
const T0 = Math.ceil(Date.parse("2026-03-01T12:00:00Z") / 10_000) * 10_000;

const nc = await connect({ servers: input.natsUrl, name: "bench-analyzer" });
const kv = countingKv(await openKv(nc, Bucket.analyses));
const publisher = createPublisher(nc, { source: "metrics-analyzer" });
let published = 0;
const service = createService({
  metrics: createPrometheusMetrics({ url: input.prometheusUrl, timeoutMs: 60_000 }),
  registry: createKvRegistry(kv),
  publish: async (m) => {
    published++;
    return publisher.publish(Event.analysisCompleted, m);
  },
  judge,
  clock: () => T0,
});
const base = memoryNow();

// Register every release through the command handler, as cmd.analysis.start would.
const tReg = performance.now();
for (let i = 0; i < input.size; i++) {
  const r = releaseOf(i);
  await service.handle(
    message(Command.analysisStart, {
      id: `start-${i}`,
      occurredAt: new Date(T0).toISOString(),
      releaseId: r.releaseId,
      data: analysisStartOf(r, input.intervalSeconds),
    }),
  );
}
const registerMs = performance.now() - tReg;
const registerKv = kv.take();
const afterRegister = memoryNow();

const len = input.intervalSeconds * 1000;
const dueTicks: Array<{ ms: number; queries: number; published: number; kv: Record<string, number> }> = [];
for (let t = 1; t <= input.ticks; t++) {
  const now = T0 + (t + 1) * len;
  published = 0;
  const t0 = performance.now();
  const report = await service.tick(now);
  dueTicks.push({ ms: performance.now() - t0, queries: report.queries, published: report.published, kv: kv.take() });
  if (report.due !== input.size) throw new Error(`analyzer tick ${t}: ${report.due} of ${input.size} releases were due; the windows are misaligned`);
}
// A tick between windows: nothing is due, but the registry is still read.
const tIdle = performance.now();
const idle = await service.tick(T0 + (input.ticks + 1) * len + 500);
const idleMs = performance.now() - tIdle;
const idleKv = kv.take();
const afterTicks = memoryNow();

// The same plan + fan-out + judge without I/O: the registry listed once, the answers held in memory.
const stored: StoredRegistration[] = await createKvRegistry(kv).list();
const series: Series[] = Array.from({ length: input.size }, (_, i) => releaseOf(i)).flatMap((r) =>
  [r.stable, r.canary].map((version) => ({
    labels: { destination_workload_namespace: r.namespace, destination_canonical_service: r.service, destination_version: version },
    value: 10,
  })),
);
const cpu: number[] = [];
for (let t = 0; t < Math.max(1, input.ticks); t++) {
  const now = T0 + (input.ticks + 3 + t) * len;
  const t0 = performance.now();
  const plan = planQueries(dueWindows(stored, now), istioLabels);
  const outcomes = new Map<string, QueryOutcome>(plan.queries.map((q) => [q.key, { ok: true, series }]));
  let verdicts = 0;
  for (const r of plan.releases) verdicts += evaluateRelease(r, outcomes, judge, istioLabels).verdicts.length;
  cpu.push(performance.now() - t0);
  if (verdicts === 0 && input.size > 0) throw new Error("analyzer cpu pass judged nothing");
}

await nc.drain();
childAnswer({
  size: input.size,
  registerMs,
  registerKv,
  dueTicks,
  idle: { ms: idleMs, due: idle.due, queries: idle.queries, kv: idleKv },
  cpuMs: cpu,
  memory: {
    base,
    afterRegister,
    afterTicks,
  },
});
