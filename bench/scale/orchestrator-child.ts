/**
 * Child process of the scale benchmark: one orchestrator (real service, KV stores and publisher)
 * over `size` releases already at their first step (seeded by the parent). Prints one JSON line.
 *
 * Measured: a tick with nothing due (the common case, every tickMs), a tick with every release due,
 * and one event per release (a passing analysis interval, routed by releaseId): time and KV
 * operations (the orchestrator's own prom-client counter), and memory after GC against the baseline.
 */
import { connect } from "@nats-io/transport-node";
import { message } from "../../schemas/codec.js";
import { Bucket, Event } from "../../schemas/subjects.js";
import { openKv } from "../../services/runtime/kv.js";
import { createPublisher } from "../../services/runtime/publish.js";
import { createKvIndex, kvDeleteAt } from "../../services/orchestrator/index-kv.js";
import { MAX_IDLE_MS } from "../../services/orchestrator/index-entry.js";
import { counterTotal, createOrchestratorMetrics, instrumentKv } from "../../services/orchestrator/metrics.js";
import type { CommandPublisher, Log } from "../../services/orchestrator/ports.js";
import { createService } from "../../services/orchestrator/service.js";
import { createKvReleaseStore } from "../../services/orchestrator/store.js";
import { childAnswer, childInput, memoryNow } from "../lib/child.js";
import { releaseOf } from "./releases.js";

interface Input {
  natsUrl: string;
  size: number;
  /** When the seeded releases reached their step (ms). */
  seededAt: number;
  /** Ticks with every release due. */
  ticks: number;
  /** Releases that get one analysis event each (capped by size). */
  events: number;
}

const input = childInput<Input>();
const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };

const nc = await connect({ servers: input.natsUrl, name: "bench-orchestrator" });
const metrics = createOrchestratorMetrics();
const nats = createPublisher(nc, { source: "orchestrator" });
const publisher: CommandPublisher = {
  async publish(cmd) {
    const r = await nats.publish(cmd.subject, { id: cmd.msgId, data: cmd.data as never, releaseId: cmd.releaseId, ...(cmd.causationId === undefined ? {} : { causationId: cmd.causationId }) });
    return { duplicate: r.duplicate };
  },
};
let now = input.seededAt;
const service = createService({
  releases: createKvReleaseStore(instrumentKv(await openKv(nc, Bucket.releases), Bucket.releases, metrics), Bucket.releases),
  index: createKvIndex(instrumentKv(await openKv(nc, Bucket.rollouts), Bucket.rollouts, metrics), await kvDeleteAt(nc, Bucket.rollouts)),
  publisher,
  metrics,
  log: silent,
  clock: () => now,
});
const kvOps = async () => {
  const { values } = await metrics.kvOps.get();
  const out: Record<string, number> = {};
  for (const v of values) out[String(v.labels.op)] = (out[String(v.labels.op)] ?? 0) + v.value;
  return out;
};
const diff = (a: Record<string, number>, b: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  out.total = Object.values(out).reduce((s, n) => s + n, 0);
  return out;
};
const published = () => counterTotal(metrics.published);
const base = memoryNow();

async function measure(label: string, run: () => Promise<unknown>) {
  const k0 = await kvOps();
  const p0 = await published();
  const t0 = performance.now();
  const report = await run();
  const ms = performance.now() - t0;
  return { label, ms, report, kv: diff(k0, await kvOps()), published: (await published()) - p0 };
}

const results = [];
for (let t = 1; t <= Math.max(3, input.ticks); t++) {
  now = input.seededAt + t * 1000;
  results.push(await measure("idle", () => service.tick(now)));
}
for (let t = 1; t <= input.ticks; t++) {
  now = input.seededAt + t * (MAX_IDLE_MS + 1000);
  results.push(await measure("due", () => service.tick(now)));
}
const events = Math.min(input.events, input.size);
now += 1000;
const windowEnd = now;
results.push(
  await measure("events", async () => {
    for (let i = 0; i < events; i++) {
      const r = releaseOf(i);
      await service.handle(
        message(Event.analysisCompleted, {
          id: `bench-analysis-${r.releaseId}-${windowEnd}`,
          occurredAt: new Date(now).toISOString(),
          releaseId: r.releaseId,
          data: {
            windowStart: windowEnd - 60_000,
            windowEnd,
            canaryVersion: r.canary,
            verdicts: [{ metric: "error-rate", verdict: "pass", critical: false, canary: 0.1, stable: 0.1, reason: "bench" }],
          },
        }),
      );
    }
    return { events };
  }),
);
const after = memoryNow();
await nc.drain();
childAnswer({ size: input.size, results, memory: { base, after } });
