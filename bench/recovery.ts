/**
 * Benchmark 5, recovery: with 1,000 releases in flight (at their first step, in KV), the
 * orchestrator is stopped; while it is down an alert arrives for one release (and, in the second
 * case, one analysis result per release queues in front of it). Measured from the restart (`main()`
 * called) to its first correct decision: `cmd.traffic.set_weights` with canary weight 0 for that
 * release. Params: `releases`, `restarts`.
 */
import { Command, Event } from "../schemas/subjects.js";
import { main as orchestratorMain } from "../services/orchestrator/main.js";
import { createPublisher } from "../services/runtime/publish.js";
import { waitFor } from "../sim/world/servers.js";
import { cleanups, startBenchNats } from "./lib/env.js";
import { counterBy, scrape } from "./lib/prom-text.js";
import { figuresTable } from "./lib/report.js";
import { seedReleases } from "./lib/seed.js";
import { summarize } from "./lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure } from "./lib/types.js";
import { tapSubject } from "./pipeline/observe.js";
import type { BenchRelease } from "./scale/releases.js";

/** Run the benchmark. */
export async function runRecovery(ctx: BenchContext): Promise<BenchOutput> {
  const count = (ctx.params["releases"] as number | undefined) ?? (ctx.quick ? 50 : 1000);
  const restarts = (ctx.params["restarts"] as number | undefined) ?? (ctx.quick ? 1 : 3);
  const c = cleanups();
  try {
    const nats = await startBenchNats(c);
    // Seeded a moment ago, so no deadline has passed and no tick has work: the alert is the decision.
    const { releases } = await seedReleases(nats.nc, count, Date.now() - 4000);
    const env = nats.workerEnv({ SISKIN_PROVISION: "false" });
    let orch = await orchestratorMain(env);
    c.add(() => orch.stop());
    const setWeights = tapSubject(nats.nc, Command.trafficSetWeights);
    c.add(() => setWeights.stop());
    const pub = createPublisher(nats.nc, { source: "bench" });
    const alert = (r: BenchRelease, n: number) =>
      pub.publish(Event.alertFired, {
        releaseId: r.releaseId,
        id: `bench-alert-${n}-${r.releaseId}`,
        data: {
          fingerprint: `bench${n}`,
          alertname: "SiskinCanaryErrorRate",
          labels: { severity: "critical", namespace: r.namespace, service: r.service },
          annotations: { summary: "canary 5xx above 5 %" },
          startsAt: new Date().toISOString(),
          rollout: { namespace: r.namespace, name: r.service },
          version: r.canary,
        },
      });
    const analysis = (r: BenchRelease, n: number) => {
      const end = Date.now();
      return pub.publish(Event.analysisCompleted, {
        releaseId: r.releaseId,
        id: `bench-analysis-${n}-${r.releaseId}`,
        data: { windowStart: end - 60_000, windowEnd: end, canaryVersion: r.canary, verdicts: [{ metric: "error-rate", verdict: "pass", critical: false, canary: 0.1, stable: 0.1, reason: "bench" }] },
      });
    };

    const cases = [
      { name: "alert only", backlog: 0 },
      { name: `alert behind ${count} queued analysis results`, backlog: count },
    ];
    const results: Record<string, { start: number[]; decision: number[]; firstTick: number[] }> = {};
    let n = 0;
    for (const k of cases) {
      const r = { start: [] as number[], decision: [] as number[], firstTick: [] as number[] };
      results[k.name] = r;
      for (let i = 0; i < restarts; i++) {
        const target = releases[count - 1 - n] as BenchRelease;
        ctx.log(`recovery: ${k.name}, restart ${i + 1}/${restarts}`);
        await orch.stop();
        if (k.backlog > 0) await Promise.all(releases.slice(0, k.backlog).map((x) => analysis(x, n)));
        await alert(target, n);
        n++;
        const t0 = performance.now();
        orch = await orchestratorMain(env);
        r.start.push(performance.now() - t0);
        const tDecision = await setWeights.next(target.releaseId, (d) => d["canaryWeight"] === 0, t0, 120_000);
        r.decision.push(tDecision - t0);
        const healthUrl = orch.healthUrl;
        const tTick = await waitFor(async () => ((counterBy(await scrape(healthUrl), "siskin_orchestrator_tick_duration_seconds_count")[""] ?? 0) > 0 ? performance.now() : undefined), {
          timeoutMs: 120_000,
          intervalMs: 20,
          what: "the first tick after the restart",
        });
        r.firstTick.push(tTick - t0);
      }
    }
    const figures: Figure[] = Object.entries(results).flatMap(([name, r]) => [
      { name: `${name}: restart → main() resolved`, unit: "ms", summary: summarize(r.start) },
      { name: `${name}: restart → rollback command published`, unit: "ms", summary: summarize(r.decision) },
      { name: `${name}: restart → first tick over every release done`, unit: "ms", summary: summarize(r.firstTick) },
    ]);
    return {
      tables: [figuresTable(`orchestrator restart with ${count} releases in flight, ${restarts} restart(s) per case`, figures)],
      figures,
      setup: {
        releases: count,
        restarts,
        restart: "graceful stop() then main() in the same process (connection, KV buckets, two consumers, ticker, health listener)",
        decision: "cmd.traffic.set_weights {canaryWeight: 0} for the release whose alert arrived while the orchestrator was down",
        tickMs: 1000,
      },
      caveats: [
        "The restart is a graceful stop in the same Node process, not a killed pod: no process start-up, module loading or Kubernetes scheduling is included (add them for a real restart).",
        "The first tick runs one tickMs (1 s) after start by design; it lists the whole index of releases in one batched read.",
        "With a backlog, the durable consumer delivers in stream order, so the alert waits behind every queued result: its decision time is the backlog's handling time.",
      ],
      data: results,
    };
  } finally {
    await c.run();
  }
}

/** The benchmark. */
export const recovery: Benchmark = {
  name: "recovery",
  title: "Orchestrator restart with 1,000 releases in flight to its first correct decision",
  run: runRecovery,
};
