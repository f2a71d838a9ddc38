/**
 * Benchmark 1, alert to rollback: from the Alertmanager webhook POSTed to alert-ingest to the
 * VirtualService showing stable weight 100 in the cluster simulator (client-node watch), through
 * NATS, the orchestrator and the traffic-router, one release at a time. Beside it, in the same run
 * and process, the floors: a NATS request/reply round trip and one PATCH of a VirtualService.
 * Params: `releases` (number), `floorSamples` (number).
 */
import { Event, Command } from "../schemas/subjects.js";
import { natsRoundTrip, simPatchFloors } from "./lib/floors.js";
import { cleanups } from "./lib/env.js";
import { figuresTable } from "./lib/report.js";
import { summarize } from "./lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure } from "./lib/types.js";
import { tapSubject, watchVirtualServices } from "./pipeline/observe.js";
import { startReleases } from "./pipeline/releases.js";
import { startWorld } from "./pipeline/world.js";
import { releaseOf, type BenchRelease } from "./scale/releases.js";

/** An Alertmanager (v0.25) webhook body with one firing alert about `r`'s canary. */
export function alertBody(r: BenchRelease, startsAt: string) {
  const labels = { alertname: "SiskinCanaryErrorRate", severity: "critical", namespace: r.namespace, service: r.service, version: r.canary };
  return {
    version: "4",
    groupKey: `{}:{alertname="SiskinCanaryErrorRate", service="${r.service}"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "siskin-alert-ingest",
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: { summary: "canary 5xx above 5 %" },
    externalURL: "http://127.0.0.1:9093",
    alerts: [{ status: "firing", labels, annotations: { summary: "canary 5xx above 5 %" }, startsAt, endsAt: "0001-01-01T00:00:00Z", generatorURL: "http://127.0.0.1:9090/graph", fingerprint: "0000000000000000" }],
  };
}

/** Run the benchmark. */
export async function runAlertRollback(ctx: BenchContext): Promise<BenchOutput> {
  const count = (ctx.params["releases"] as number | undefined) ?? (ctx.quick ? 20 : 200);
  const floorSamples = (ctx.params["floorSamples"] as number | undefined) ?? (ctx.quick ? 50 : 300);
  const releases = Array.from({ length: count }, (_, i) => releaseOf(i));
  const c = cleanups();
  try {
    const world = await startWorld(c, { namespaces: [...new Set(releases.map((r) => r.namespace))] });
    const watch = await watchVirtualServices(world.sim.kubeConfig());
    c.add(() => watch.stop());
    const progressed = tapSubject(world.nats.nc, Event.releaseProgressed);
    const fired = tapSubject(world.nats.nc, Event.alertFired);
    const setWeights = tapSubject(world.nats.nc, Command.trafficSetWeights);
    c.add(() => [progressed, fired, setWeights].forEach((t) => t.stop()));

    ctx.log(`alert-rollback: floors (${floorSamples} samples each)`);
    const rtt = await natsRoundTrip(world.nats.nc, floorSamples);
    const sim = await simPatchFloors(world.sim, floorSamples);

    ctx.log(`alert-rollback: bringing ${count} releases to their first step`);
    await startReleases(world, releases, watch, progressed);

    ctx.log(`alert-rollback: ${count} alerts, one at a time`);
    const total: number[] = [];
    const ingest: number[] = [];
    const orchestrate: number[] = [];
    const route: number[] = [];
    const http: number[] = [];
    for (const r of releases) {
      const t0 = performance.now();
      const res = await fetch(world.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alertBody(r, new Date().toISOString())),
      });
      const tHttp = performance.now();
      if (res.status !== 200) throw new Error(`alert-ingest answered HTTP ${res.status} for ${r.releaseId}: ${await res.text()}`);
      await res.arrayBuffer();
      const tDone = await watch.until(r.namespace, r.service, (w) => w[r.stable] === 100, 15_000, "stable weight 100 after the alert");
      const tFired = await fired.next(r.releaseId, () => true, t0, 1000);
      const tCmd = await setWeights.next(r.releaseId, (d) => d["canaryWeight"] === 0, t0, 1000);
      total.push(tDone - t0);
      http.push(tHttp - t0);
      ingest.push(tFired - t0);
      orchestrate.push(tCmd - tFired);
      route.push(tDone - tCmd);
    }
    const totalS = summarize(total);
    const floor = rtt.median + sim.patchToWatch.median;
    const figures: Figure[] = [
      { name: "alert → stable weight 100 (watch)", unit: "ms", summary: totalS },
      { name: "  webhook POST → evt.alert.fired stored", unit: "ms", summary: summarize(ingest) },
      { name: "  evt.alert.fired → cmd.traffic.set_weights 0 stored", unit: "ms", summary: summarize(orchestrate) },
      { name: "  cmd.traffic.set_weights → VirtualService event", unit: "ms", summary: summarize(route) },
      { name: "  webhook HTTP answer", unit: "ms", summary: summarize(http) },
      { name: "floor: NATS request/reply round trip", unit: "ms", summary: rtt },
      { name: "floor: VirtualService merge PATCH (client-node)", unit: "ms", summary: sim.patch },
      { name: "floor: PATCH → watch event", unit: "ms", summary: sim.patchToWatch },
    ];
    return {
      tables: [
        figuresTable(`alert to rollback over ${count} releases (one at a time)`, figures),
        {
          title: "overhead as a ratio of the floor",
          columns: ["figure", "median ms", "p99 ms", "floor ms (1 NATS round trip + 1 PATCH→watch, medians)", "median ÷ floor"],
          rows: [["alert → stable 100", totalS.median, totalS.p99, floor, Math.round((totalS.median / floor) * 10) / 10]],
        },
      ],
      figures,
      setup: {
        releases: count,
        path: "alert-ingest, orchestrator and traffic-router are the real workers (main(env)); each release was brought to its first step by publishing the vm-provisioner and k8s-watcher facts directly",
        process: "every worker, the cluster simulator and the client-node watch share this Node process; nats-server is a child process",
        releasesInFlight: count,
      },
      caveats: [
        "All workers and the simulator share one Node event loop (2 cores, also used by nats-server): a stage's time includes waiting for the others' work in that loop; separate processes would overlap better.",
        "Stage times come from core NATS subscriptions on the same server: they mark when JetStream stored a message, not when the next worker picked it up.",
        "The orchestrator's 1 s ticker and the simulator's 100 ms controller tick run during the measurement and occasionally delay an alert.",
        `A rolled-back release leaves the live-release index, so alert-ingest maps the first webhook against ${count} index entries and the last against 1 (the read is one batch either way).`,
      ],
      data: { total, ingest, orchestrate, route, http },
    };
  } finally {
    await c.run();
  }
}

/** The benchmark. */
export const alertRollback: Benchmark = {
  name: "alert-rollback",
  title: "Alertmanager webhook to stable weight 100, p50/p99 over 200 releases, beside a NATS round trip and a PATCH",
  run: runAlertRollback,
};
