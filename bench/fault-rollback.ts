/**
 * Benchmark 2, fault to rollback in the simulated world: a release of `web` runs at its first step
 * (real vm-provisioner, k8s-watcher, orchestrator, traffic-router, metrics-analyzer; sim-mesh traffic
 * scraped by a real Prometheus every second, rules evaluated every second, a real Alertmanager); then
 * the canary VMI's `sim.siskin.dev/error-rate` annotation is patched to 10 % (above the 1 % bound,
 * below the 20 % critical bound) and the time to the VirtualService's stable weight 100 is measured.
 * Fast path: alerts on. Counted path: alerts off, analysis interval 5 s, failureLimit 1.
 * Params: `reps` (per path), `requestsPerScrape`.
 */
import { vmNameFor } from "../schemas/rollout-defaults.js";
import { Annotation } from "../sim/mesh/index.js";
import { Command, Event } from "../schemas/subjects.js";
import { cleanups } from "./lib/env.js";
import { figuresTable } from "./lib/report.js";
import { specOf } from "./lib/seed.js";
import { summarize } from "./lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure } from "./lib/types.js";
import { WEB, startMeshWorld, vmTemplateSpec, type MeshWorld } from "./pipeline/mesh-world.js";
import { tapSubject, watchVirtualServices, type SubjectTap, type VsWatch } from "./pipeline/observe.js";
import type { BenchRelease } from "./scale/releases.js";
import { createPublisher } from "../services/runtime/publish.js";

const INTERVAL_SECONDS = 5;
const FAILURE_LIMIT = 1;
const FAULT_ERROR_RATE = "0.1";

interface Taps {
  progressed: SubjectTap;
  completed: SubjectTap;
  analysis: SubjectTap;
  fired: SubjectTap;
  setWeights: SubjectTap;
}

interface Rep {
  path: string;
  total: number;
  /** Fault → first failing analysis published (counted) or alert published (fast). */
  detected: number;
  /** Fault → rollback command. */
  decided: number;
  winner: "alert" | "analysis" | "other";
  phase: string;
}

/**
 * One release to its rollback. `phase` (0..1) places the fault within the analysis grid: it is
 * injected that share of an interval after a passing interval was published, so a few repetitions
 * cover the grid instead of always landing just after a window ends.
 */
async function oneRelease(world: MeshWorld, watch: VsWatch, taps: Taps, version: string, path: string, phase: number): Promise<Rep> {
  const r: BenchRelease = { ...WEB, releaseId: `${WEB.namespace}/${WEB.service}/${version}`, canary: version };
  const spec = {
    intervalSeconds: INTERVAL_SECONDS,
    failureLimit: FAILURE_LIMIT,
    spec: {
      vmTemplate: { metadata: { labels: { app: WEB.service } }, spec: vmTemplateSpec },
      // One long step: the fault always lands while the release is judged at 20 %.
      steps: [{ weight: 20, bakeIntervals: 1000 }, { weight: 100 }],
    },
  };
  const t0 = performance.now();
  const pub = createPublisher(world.nats.nc, { source: "bench" });
  await pub.publish(Event.releaseRequested, {
    releaseId: r.releaseId,
    id: `bench-req-${r.releaseId}`,
    data: { rollout: { namespace: r.namespace, name: r.service }, spec: specOf(r, spec), version, tag: version, requestedBy: { kind: "cli", id: "bench" }, idempotencyKey: `bench-${r.releaseId}` },
  });
  await taps.progressed.next(r.releaseId, (d) => d["to"] === "step.analyzing", t0, 60_000);
  // A passing interval first: the canary has series in Prometheus and the analysis is running.
  await taps.analysis.next(r.releaseId, (d) => ((d["verdicts"] as Array<{ verdict: string }> | undefined) ?? []).every((v) => v.verdict === "pass"), t0, 60_000);
  await new Promise((resolve) => setTimeout(resolve, Math.round(phase * INTERVAL_SECONDS * 1000)));
  const vmi = vmNameFor(WEB.service, version);
  world.sim.store.patch("vmi", WEB.namespace, vmi, { metadata: { annotations: { [Annotation.errorRate]: FAULT_ERROR_RATE } } }, "merge");
  const tFault = performance.now();
  const tDone = await watch.until(WEB.namespace, WEB.service, (w) => w[WEB.stable] === 100, 180_000, `stable weight 100 after the fault (${path})`);
  const tCmd = await taps.setWeights.next(r.releaseId, (d) => d["canaryWeight"] === 0, tFault, 5000);
  const alertAt = taps.fired.times(r.releaseId).find((t) => t >= tFault);
  const failAt = await taps.analysis
    .next(r.releaseId, (d) => ((d["verdicts"] as Array<{ verdict: string }> | undefined) ?? []).some((v) => v.verdict === "fail"), tFault, 1)
    .catch(() => undefined);
  await taps.completed.next(r.releaseId, () => true, t0, 60_000);
  const winner = alertAt !== undefined && alertAt <= tCmd ? "alert" : failAt !== undefined && failAt <= tCmd ? "analysis" : "other";
  const detectedAt = winner === "alert" ? (alertAt as number) : (failAt ?? tCmd);
  return { path, total: tDone - tFault, detected: detectedAt - tFault, decided: tCmd - tFault, winner, phase: `${Math.round(phase * 100)} %` };
}

/** Run the benchmark. */
export async function runFaultRollback(ctx: BenchContext): Promise<BenchOutput> {
  const reps = (ctx.params["reps"] as number | undefined) ?? (ctx.quick ? 1 : 3);
  const requestsPerScrape = (ctx.params["requestsPerScrape"] as number | undefined) ?? 200;
  const c = cleanups();
  try {
    const world = await startMeshWorld(c, { requestsPerScrape });
    const watch = await watchVirtualServices(world.sim.kubeConfig());
    c.add(() => watch.stop());
    const taps: Taps = {
      progressed: tapSubject(world.nats.nc, Event.releaseProgressed),
      completed: tapSubject(world.nats.nc, Event.releaseCompleted),
      analysis: tapSubject(world.nats.nc, Event.analysisCompleted),
      fired: tapSubject(world.nats.nc, Event.alertFired),
      setWeights: tapSubject(world.nats.nc, Command.trafficSetWeights),
    };
    c.add(() => Object.values(taps).forEach((t) => t.stop()));
    const out: Rep[] = [];
    let n = 1;
    for (const [path, alerts] of [
      ["fast path (alerts)", true],
      [`counted path (interval ${INTERVAL_SECONDS} s, failureLimit ${FAILURE_LIMIT})`, false],
    ] as const) {
      await world.alerts(alerts);
      for (let i = 0; i < reps; i++) {
        ctx.log(`fault-rollback: ${path}, release ${i + 1}/${reps}`);
        out.push(await oneRelease(world, watch, taps, `v2.0.${n++}`, path, i / reps));
      }
    }
    const paths = [...new Set(out.map((o) => o.path))];
    const figures: Figure[] = paths.flatMap((p) => {
      const xs = out.filter((o) => o.path === p);
      return [
        { name: `${p}: fault → stable weight 100`, unit: "ms", summary: summarize(xs.map((x) => x.total)) },
        { name: `${p}: fault → detected (alert or failing analysis published)`, unit: "ms", summary: summarize(xs.map((x) => x.detected)) },
        { name: `${p}: fault → rollback command`, unit: "ms", summary: summarize(xs.map((x) => x.decided)) },
      ];
    });
    const median = (p: string) => summarize(out.filter((o) => o.path === p).map((o) => o.total)).median / 1000;
    return {
      tables: [
        figuresTable(`fault to rollback, ${reps} release(s) per path`, figures),
        { title: "per release", columns: ["path", "fault phase in the interval", "winner", "fault → detected ms", "fault → command ms", "fault → stable 100 ms"], rows: out.map((o) => [o.path, o.phase, o.winner, o.detected, o.decided, o.total]) },
        {
          title: "the same fault under the anchors' documented defaults (time after the first bad sample)",
          columns: ["system and setting", "rollback after"],
          rows: [
            ["Siskin fast path (this run, median)", `${median(paths[0] ?? "").toFixed(1)} s`],
            [`Siskin counted path (this run, median; interval ${INTERVAL_SECONDS} s, failureLimit ${FAILURE_LIMIT})`, `${median(paths[1] ?? "").toFixed(1)} s`],
            ["Flagger, interval 1m × threshold 1 (defaults)", "≥ 60 s"],
            ["Flagger, docs example interval 1m × threshold 10", "≥ 600 s"],
            ["Argo Rollouts, interval × (failureLimit+1), failureLimit 0 (default), interval 1m", "≥ 60 s"],
            ["Argo Rollouts, documented Istio template: 5m × (3+1)", "≥ 1,200 s"],
          ],
        },
      ],
      figures,
      setup: {
        repsPerPath: reps,
        requestsPerScrape,
        canaryWeight: 20,
        fault: `canary VMI annotation ${Annotation.errorRate}=${FAULT_ERROR_RATE}`,
        prometheus: "scrape and rule evaluation every 1 s; SiskinCanaryHighErrorRate: 5xx ratio over 10 s > 5 % for 2 s",
        alertmanager: "group_wait 1 s",
        analysis: { intervalSeconds: INTERVAL_SECONDS, failureLimit: FAILURE_LIMIT, metrics: "defaults (error-rate max 1 %, critical 20 %; latency-p99 1.2 × stable)" },
        workers: "every Siskin worker real (main(env)); the release request is published directly (no release-trigger)",
      },
      caveats: [
        "Slow by nature (seconds per release: boot, a passing interval, then the fault) and so only a few repetitions: the spread is wide and p99 is the max.",
        "Where the fault lands within the analysis grid (windows aligned to multiples of the interval) decides most of the counted path's time; repetition i injects it i/reps of an interval after a passing interval was published, so the spread is by construction.",
        "The fast path's floor is Prometheus' own timing: 1 s scrapes, a 10 s rate window, `for: 2s`, 1 s evaluation, Alertmanager's 1 s group_wait.",
        "Everything runs on one machine with 2 cores; Prometheus and Alertmanager are child processes, the workers and simulators share one Node process.",
      ],
      data: { releases: out },
    };
  } finally {
    await c.run();
  }
}

/** The benchmark. */
export const faultRollback: Benchmark = {
  name: "fault-rollback",
  title: "Canary starts failing (annotation) to rollback: alert fast path and counted analysis path, few repetitions",
  run: runFaultRollback,
};
