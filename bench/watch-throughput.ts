/**
 * Benchmark 4, event throughput: a burst of VirtualMachines booting in the cluster simulator (one
 * controller pass makes every VMI Pending → … → Running, Ready), their VMI watch events through the
 * k8s-watcher (facts to JetStream) into the orchestrator, whose releases they concern. Beside it the
 * raw JetStream publish rate on the same server. Params: `vms` (per run), `runs`, `publishTotal`.
 */
import * as k8s from "@kubernetes/client-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SiskinLabel } from "../schemas/rollout-index.js";
import { Consumer } from "../schemas/subjects.js";
import { main as orchestratorMain } from "../services/orchestrator/main.js";
import { main as watcherMain } from "../services/k8s-watcher/main.js";
import { startSimCluster } from "../sim/cluster/index.js";
import { waitFor } from "../sim/world/servers.js";
import { cleanups, startBenchNats } from "./lib/env.js";
import { jetStreamPublishRate } from "./lib/floors.js";
import { counterBy, diffCounts, scrape } from "./lib/prom-text.js";
import { figuresTable } from "./lib/report.js";
import { seedReleases } from "./lib/seed.js";
import { summarize } from "./lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure } from "./lib/types.js";
import { releaseOf } from "./scale/releases.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const ROLLOUTS = 20;

function vm(namespace: string, name: string, app: string, version: string) {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace, labels: { app, [SiskinLabel.rollout]: app } },
    spec: {
      runStrategy: "Always",
      template: {
        metadata: { labels: { app, version, [SiskinLabel.rollout]: app }, annotations: { "sidecar.istio.io/inject": "true" } },
        spec: { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }] },
      },
    },
  };
}

/** Run the benchmark. */
export async function runWatchThroughput(ctx: BenchContext): Promise<BenchOutput> {
  const vms = (ctx.params["vms"] as number | undefined) ?? (ctx.quick ? 40 : 300);
  const runs = (ctx.params["runs"] as number | undefined) ?? (ctx.quick ? 1 : 3);
  const publishTotal = (ctx.params["publishTotal"] as number | undefined) ?? (ctx.quick ? 2000 : 20_000);
  const c = cleanups();
  try {
    const nats = await startBenchNats(c);
    const jsm = await jetstreamManager(nats.nc);
    const sim = await startSimCluster({ clock: () => T0, bookmarkMs: 0, historyLimit: 200_000, onError: () => undefined });
    c.add(() => sim.close());
    const releases = Array.from({ length: ROLLOUTS }, (_, i) => releaseOf(i));
    for (const ns of new Set(releases.map((r) => r.namespace))) sim.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await seedReleases(nats.nc, ROLLOUTS, T0);
    const dir = mkdtempSync(join(tmpdir(), "siskin-bench-"));
    c.add(() => rmSync(dir, { recursive: true, force: true }));
    const kubeconfig = join(dir, "kubeconfig");
    await sim.writeKubeconfig(kubeconfig);
    // The ticker stays out of the way (60 s): this measures the event path only.
    const orchEnv = nats.workerEnv({ SISKIN_TICK_MS: "60000", SISKIN_PROVISION: "false" });
    const watcherEnv = nats.workerEnv({ SISKIN_KUBECONFIG: kubeconfig });
    let orch = await orchestratorMain(orchEnv);
    let watcher = await watcherMain(watcherEnv);
    c.add(() => orch.stop());
    c.add(() => watcher.stop());
    await watcher.started;

    let facts: number[] = [];
    const sub = nats.nc.subscribe("evt.vm.>", { callback: () => void facts.push(performance.now()) });
    c.add(() => sub.unsubscribe());
    const kc = sim.kubeConfig();
    const quiet = (times: () => number[], ms: number, what: string) =>
      waitFor(() => times().length > 0 && performance.now() - (times()[times().length - 1] as number) > ms, { timeoutMs: 120_000, intervalMs: 20, what });

    const apiRates: number[] = [];
    const factRates: number[] = [];
    const orchRates: number[] = [];
    const perRun: Array<Record<string, number>> = [];
    const kvPerFact: number[] = [];
    const outcomesSeen: Array<Record<string, number>> = [];
    for (let run = 0; run < runs; run++) {
      ctx.log(`watch-throughput: run ${run + 1}/${runs}, ${vms} VMs boot while the watcher and the orchestrator are down`);
      await watcher.stop();
      await orch.stop();
      // The store's resourceVersion now (a marker object's), to replay every change after it.
      const marker = sim.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `bench-mark-${run}`, namespace: "default" } });
      const rvBefore = marker.metadata.resourceVersion ?? "0";
      for (let i = 0; i < vms; i++) {
        const r = releases[i % ROLLOUTS]!;
        sim.store.create(vm(r.namespace, `${r.service}-r${run}-${i}`, r.service, r.canary));
      }
      // Every VMI goes Pending → Scheduling → Scheduled → Running → Ready as separate changes.
      sim.tick();
      sim.advance(30_000);

      // 1. The API's own ceiling: a client-node watch replaying the backlog from history.
      const apiEvents: number[] = [];
      const t0 = performance.now();
      const replay = await new k8s.Watch(kc).watch("/apis/kubevirt.io/v1/virtualmachineinstances", { resourceVersion: rvBefore }, () => void apiEvents.push(performance.now()), () => undefined);
      await quiet(() => apiEvents, 300, "the VMI watch replay to finish");
      replay.abort();
      const apiMs = (apiEvents[apiEvents.length - 1] as number) - t0;

      // 2. The watcher catching up from its cursor: VMI events → facts in JetStream.
      facts = [];
      const t1 = performance.now();
      watcher = await watcherMain(watcherEnv);
      await quiet(() => facts, 1000, "the watcher's facts to stop");
      const factsMs = (facts[facts.length - 1] as number) - t1;

      // 3. The orchestrator draining its durable consumer: facts → releases.
      const t2 = performance.now();
      orch = await orchestratorMain(orchEnv);
      const before = await scrape(orch.healthUrl);
      const tDrained = await waitFor(
        async () => {
          const info = await jsm.consumers.info(Consumer.orchestrator.stream, "orchestrator");
          return info.num_pending === 0 && info.num_ack_pending === 0 ? performance.now() : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 10, what: "the orchestrator to handle every fact" },
      );
      const after = await scrape(orch.healthUrl);
      const kv = diffCounts(counterBy(before, "siskin_orchestrator_kv_ops_total", "op"), counterBy(after, "siskin_orchestrator_kv_ops_total", "op"));
      const outcomes = diffCounts(counterBy(before, "siskin_orchestrator_events_total", "outcome"), counterBy(after, "siskin_orchestrator_events_total", "outcome"));
      const handled = Object.values(outcomes).reduce((a, b) => a + b, 0);
      kvPerFact.push(Object.values(kv).reduce((a, b) => a + b, 0) / Math.max(1, handled));
      outcomesSeen.push(outcomes);
      apiRates.push(apiEvents.length / (apiMs / 1000));
      factRates.push(facts.length / (factsMs / 1000));
      orchRates.push(handled / ((tDrained - t2) / 1000));
      perRun.push({ vms, vmiWatchEvents: apiEvents.length, facts: facts.length, handled, vmiWatchMs: apiMs, factsMs, orchestratorMs: tDrained - t2 });
    }
    ctx.log(`watch-throughput: raw JetStream publish rate (${publishTotal} messages × ${runs})`);
    const raw = await jetStreamPublishRate(nats.nc, publishTotal, runs);
    const figures: Figure[] = [
      { name: "VMI watch events replayed by the simulator (client-node watch)", unit: "events/s", summary: summarize(apiRates) },
      { name: "k8s-watcher: VMI events → facts stored in JetStream", unit: "facts/s", summary: summarize(factRates) },
      { name: "orchestrator: facts handled (durable consumer backlog)", unit: "facts/s", summary: summarize(orchRates) },
      { name: "raw JetStream publish (512 B, msgID, 256 in flight)", unit: "msgs/s", summary: raw },
      { name: "orchestrator KV operations per fact", unit: "ops", summary: summarize(kvPerFact) },
    ];
    return {
      tables: [
        figuresTable(`VMI events: ${vms} VMs booted while the workers were down, ${runs} run(s); each stage drains its backlog`, figures),
        { title: "per run", columns: ["run", "VMI watch events", "facts", "facts handled", "replay ms", "watcher ms", "orchestrator ms"], rows: perRun.map((p, i) => [i + 1, p.vmiWatchEvents ?? 0, p.facts ?? 0, p.handled ?? 0, p.vmiWatchMs ?? 0, p.factsMs ?? 0, p.orchestratorMs ?? 0]) },
      ],
      figures,
      setup: { vms, runs, rollouts: ROLLOUTS, releasesInFlight: ROLLOUTS, path: "cluster simulator (VMs booted by advancing its clock 30 s while the workers were down) → k8s-watcher (main, resuming from its cursor) → JetStream → orchestrator (main, draining its durable consumer); every VMI labelled with its rollout and the canary version", historyLimit: 200_000 },
      caveats: [
        "Each stage is measured on a backlog (the stage after it stopped), so the figures are capacities; live, a stage runs at the rate of the one before it. A real cluster spreads VM boots over seconds to minutes.",
        "The k8s-watcher publishes its facts one at a time (awaiting each JetStream ack) and saves its cursor when it catches up; its rate is bounded by that round trip, not by NATS.",
        "The orchestrator's drain time is polled (every 10 ms) from its durable consumer (nothing pending, nothing unacked).",
        "Simulator, watcher and orchestrator share this Node process and 2 cores with nats-server.",
      ],
      data: { perRun, orchestratorOutcomes: outcomesSeen },
    };
  } finally {
    await c.run();
  }
}

/** The benchmark. */
export const watchThroughput: Benchmark = {
  name: "watch-throughput",
  title: "VMI watch events per second through the k8s-watcher and NATS into the orchestrator, beside raw JetStream publishes",
  run: runWatchThroughput,
};
