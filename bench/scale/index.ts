/**
 * Benchmark 3, scale: 1, 100, 1,000 and 5,000 concurrent releases on one orchestrator and one
 * analyzer, each in its own child process per size (memory is the child's). The analyzer queries a
 * stand-in Prometheus; NATS (KV, JetStream) is real. Params: `sizes` (number[]), `ticks` (number).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Bucket, Stream } from "../../schemas/subjects.js";
import { runChild } from "../lib/child.js";
import { cleanups, startBenchNats } from "../lib/env.js";
import { startFakePrometheus } from "../lib/fake-prometheus.js";
import { figuresTable } from "../lib/report.js";
import { seedReleases } from "../lib/seed.js";
import { summarize, type Summary } from "../lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure, Table } from "../lib/types.js";
import { seriesOf } from "./releases.js";

interface Memory {
  rss: number;
  heapUsed: number;
}
interface AnalyzerAnswer {
  size: number;
  registerMs: number;
  dueTicks: Array<{ ms: number; queries: number; published: number; kv: Record<string, number> }>;
  idle: { ms: number; queries: number; kv: Record<string, number> };
  cpuMs: number[];
  memory: { base: Memory; afterRegister: Memory; afterTicks: Memory };
}
interface OrchestratorAnswer {
  size: number;
  results: Array<{ label: string; ms: number; report: Record<string, number>; kv: Record<string, number>; published: number }>;
  memory: { base: Memory; after: Memory };
}

const MB = 1024 * 1024;
const T0 = Date.parse("2026-03-01T12:00:00Z");

async function purge(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of [Stream.events.name, Stream.commands.name, ...[Bucket.analyses, Bucket.releases, Bucket.rollouts].map((b) => `KV_${b}`)]) {
    await jsm.streams.purge(name);
  }
}

function mb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

const s = (x: Summary) => [x.min, x.median, x.p99] as const;

/** Run the scale benchmark. */
export async function runScale(ctx: BenchContext): Promise<BenchOutput> {
  const sizes = (ctx.params["sizes"] as number[] | undefined) ?? (ctx.quick ? [1, 100] : [1, 100, 1000, 5000]);
  const ticks = (ctx.params["ticks"] as number | undefined) ?? (ctx.quick ? 1 : 3);
  const intervalSeconds = 10;
  const c = cleanups();
  const analyzer: AnalyzerAnswer[] = [];
  const orchestrator: OrchestratorAnswer[] = [];
  try {
    const nats = await startBenchNats(c, { maxMemory: "1GB" });
    for (const size of sizes) {
      await purge(nats.nc);
      const prom = await startFakePrometheus(seriesOf(size));
      ctx.log(`scale: analyzer with ${size} releases`);
      try {
        analyzer.push(
          await runChild<AnalyzerAnswer>("bench/scale/analyzer-child.ts", { natsUrl: nats.server.url, prometheusUrl: prom.url, size, ticks, intervalSeconds }, { timeoutMs: 300_000 }),
        );
      } finally {
        await prom.close();
      }
      await purge(nats.nc);
      ctx.log(`scale: orchestrator with ${size} releases`);
      const seed = await seedReleases(nats.nc, size, T0);
      orchestrator.push(
        await runChild<OrchestratorAnswer>(
          "bench/scale/orchestrator-child.ts",
          { natsUrl: nats.server.url, size, seededAt: seed.now, ticks: Math.max(1, size >= 5000 ? Math.min(ticks, 2) : ticks), events: 100 },
          { timeoutMs: 300_000 },
        ),
      );
    }
  } finally {
    await c.run();
  }

  const figures: Figure[] = [];
  const aRows = analyzer.map((a) => {
    const due = summarize(a.dueTicks.map((t) => t.ms));
    const cpu = summarize(a.cpuMs);
    figures.push({ name: `analyzer tick, ${a.size} releases due`, unit: "ms", summary: due });
    figures.push({ name: `analyzer plan+fan-out+judge (no I/O), ${a.size} releases`, unit: "ms", summary: cpu });
    const queries = [...new Set(a.dueTicks.map((t) => t.queries))].join("/");
    return [
      a.size,
      queries,
      ...s(due),
      a.idle.ms,
      a.dueTicks[0]?.kv["total"] ?? 0,
      a.idle.kv["total"] ?? 0,
      cpu.median,
      mb(a.memory.afterTicks.rss - a.memory.base.rss),
      mb(a.memory.afterTicks.heapUsed - a.memory.base.heapUsed),
    ];
  });
  const oRows = orchestrator.map((o) => {
    const idle = o.results.filter((r) => r.label === "idle");
    const due = o.results.filter((r) => r.label === "due");
    const ev = o.results.find((r) => r.label === "events");
    const dueS = summarize(due.map((r) => r.ms));
    const events = ev?.report["events"] ?? 0;
    figures.push({ name: `orchestrator tick, ${o.size} releases all due`, unit: "ms", summary: dueS });
    figures.push({ name: `orchestrator tick, ${o.size} releases none due`, unit: "ms", summary: summarize(idle.map((r) => r.ms)) });
    return [
      o.size,
      idle[0]?.ms ?? Number.NaN,
      idle[0]?.kv["total"] ?? 0,
      ...s(dueS),
      due[0]?.kv["total"] ?? 0,
      events > 0 ? (ev?.ms ?? 0) / events : Number.NaN,
      events > 0 ? (ev?.kv["total"] ?? 0) / events : Number.NaN,
      mb(o.memory.after.rss - o.memory.base.rss),
      mb(o.memory.after.heapUsed - o.memory.base.heapUsed),
    ];
  });
  const tables: Table[] = [
    {
      title: `metrics-analyzer: ${intervalSeconds} s interval, 2 metrics per release, one child process per size`,
      columns: ["releases", "PromQL/interval", "due tick min ms", "median", "p99", "idle tick ms", "KV ops due tick", "KV ops idle tick", "no-I/O ms", "RSS Δ MB", "heap Δ MB"],
      rows: aRows,
    },
    {
      title: "orchestrator: releases at their first step, one child process per size",
      columns: ["releases", "idle tick ms", "KV ops idle", "all-due tick min ms", "median", "p99", "KV ops all-due", "ms/event", "KV ops/event", "RSS Δ MB", "heap Δ MB"],
      rows: oRows,
    },
    figuresTable("scale: repeated runs", figures),
  ];
  return {
    tables,
    figures,
    setup: { sizes, ticks, intervalSeconds, prometheus: "stand-in answering grouped series (built once per size)", nats: "real nats-server with JetStream, KV history as provisioned" },
    caveats: [
      "Prometheus is a stand-in that answers every grouped query at once: the analyzer's figures exclude Prometheus' own evaluation time, which grows with the series it scans.",
      "An idle tick reads the whole registry (analyzer) or rollout index (orchestrator): its cost is O(releases) KV reading even when nothing is due.",
      "The all-due orchestrator tick is the worst case (every release wakes at once, e.g. after a restart); normally nextWakeAt spreads releases over time.",
      "RSS deltas include V8 heap growth the GC had not returned; heapUsed is measured after a forced GC. Child processes share 2 cores with nats-server and the parent.",
    ],
    data: { analyzer, orchestrator },
  };
}

/** The scale benchmark. */
export const scale: Benchmark = { name: "scale", title: "1 to 5,000 concurrent releases: queries, tick time, KV operations, memory", run: runScale };
