/**
 * One soak run: a 3-node NATS JetStream cluster provisioned by `siskin provision` with the replicas
 * from SISKIN_JETSTREAM_*; the simulated world (cluster, mesh, Prometheus, Alertmanager, Slack, Git)
 * as the demo starts it, with N copies of BookInfo's ratings; every worker as its own `siskin serve`
 * process (two replicas of some), connected to all three NATS URLs; the seeded release script played
 * to the end, under chaos when given; then the world read back and judged.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bucket } from "../../schemas/subjects.js";
import { connectNats, openKv } from "../../services/runtime/index.js";
import { startNatsCluster } from "../world/nats-cluster.js";
import { startWorld, type StartWorker } from "../world/world.js";
import { WorkerNames, type WorkerName } from "../world/world-env.js";
import { startChaos, type ChaosCounts, type ChaosOptions } from "./chaos.js";
import { collectFacts, type ReleaseFacts } from "./collect.js";
import { approver, driveScript, intruder, type DrivenRelease } from "./driver.js";
import { checkInvariants, percentile, type CheckResult, type DecisionBound } from "./invariants.js";
import { defaultTimings, soakManifests, type SoakRolloutTimings } from "./manifests.js";
import { startHttpFront, type HttpFront } from "./proxy.js";
import { recordWorld, type WorldHistory } from "./recorder.js";
import { buildScript, ReleaseKind, type ScriptedRelease } from "./script.js";
import { createWorkerPool } from "./workers.js";

const siskinBin = fileURLToPath(new URL("../../bin/siskin.mjs", import.meta.url));

/** Replicas of each worker process. */
export const defaultReplicas: Record<WorkerName, number> = {
  "status-writer": 1,
  "k8s-watcher": 1,
  "vm-provisioner": 1,
  "traffic-router": 2,
  "metrics-analyzer": 2,
  "alert-ingest": 2,
  "approval-gateway": 1,
  notifier: 1,
  "release-trigger": 1,
  orchestrator: 2,
  dashboard: 1,
};

/** What the JetStream objects are provisioned with (the operator's SISKIN_JETSTREAM_* settings). */
export interface SoakJetStream {
  replicas: 1 | 3 | 5;
  ackWaitMs: number;
  maxDeliver: number;
}

/** Options of one run. */
export interface SoakRunOptions {
  dataDir: string;
  seed: number;
  releases: number;
  services: number;
  /** Chaos schedule of the chaos phase; none: both phases without chaos. */
  chaos?: ChaosOptions;
  /** Play a no-chaos phase first (one release of each kind) to bound time to decision. */
  baseline?: { bound: DecisionBound };
  replicas?: Partial<Record<WorkerName, number>>;
  /**
   * How workers map to processes: each worker its own processes (`replicas` of each, the default), or
   * `allInOne` processes each serving every worker (`siskin serve <all…>`: cheaper to start, for the test).
   */
  allInOne?: number;
  jetstream: SoakJetStream;
  timings?: SoakRolloutTimings;
  /** Bound on one release, push to final. */
  releaseTimeoutMs: number;
  log?: (line: string) => void;
  /** Keep the data dir (logs, stores) after the run. */
  keepData?: boolean;
}

/** What one run came to. */
export interface SoakRunResult {
  /** The chaos phase's releases (`v2.*`). */
  script: ScriptedRelease[];
  /** The no-chaos phase's releases (`v1.*`), empty without a baseline. */
  baselineScript: ScriptedRelease[];
  /** Both phases judged together (the bound applies to the chaos phase). */
  check: CheckResult;
  chaos: ChaosCounts | undefined;
  /** Time to decision by release id, per phase. */
  decisions: { chaos: number[]; noChaos: number[] };
  /** Median no-chaos time to decision by kind. */
  baselineByKind: Map<string, number>;
  /** Worker exits nobody asked for (each restarted, as Kubernetes would). */
  crashes: Array<{ id: string; code: number | null; signal: string | null; at: number }>;
  durationMs: { startup: number; noChaos: number | null; chaos: number };
  driven: Map<string, DrivenRelease>;
  facts: Map<string, ReleaseFacts>;
  history: WorldHistory;
}

/** `siskin provision` as a process, as an operator runs it; retried while the cluster elects leaders. */
async function provisionCluster(urls: readonly string[], js: SoakJetStream, log: (l: string) => void): Promise<void> {
  const env = {
    ...process.env,
    SISKIN_NATS_SERVERS: urls.join(","),
    SISKIN_JETSTREAM_REPLICAS: String(js.replicas),
    SISKIN_JETSTREAM_ACK_WAIT_MS: String(js.ackWaitMs),
    SISKIN_JETSTREAM_MAX_DELIVER: String(js.maxDeliver),
  };
  for (let attempt = 1; ; attempt++) {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [siskinBin, "provision"], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      p.stdout.on("data", (c: Buffer) => (out += c.toString()));
      p.stderr.on("data", (c: Buffer) => (out += c.toString()));
      p.once("exit", (c) => resolve({ code: c, out }));
    });
    if (code === 0) {
      log(`siskin provision (replicas ${js.replicas}, ack_wait ${js.ackWaitMs} ms, max_deliver ${js.maxDeliver}): ${out.trim().split("\n").length} objects`);
      return;
    }
    if (attempt >= 5) throw new Error(`soak: siskin provision failed ${attempt} times; last output:\n${out}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** Run once: start everything, play the no-chaos phase, then the chaos phase, judge, stop. */
export async function runSoak(o: SoakRunOptions): Promise<SoakRunResult> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const namespace = "soak";
  const timings = o.timings ?? defaultTimings;
  rmSync(o.dataDir, { recursive: true, force: true });
  const manifestsDir = join(o.dataDir, "manifests");
  mkdirSync(manifestsDir, { recursive: true });
  writeFileSync(join(manifestsDir, "soak.yaml"), soakManifests(o.services, namespace, timings));
  const baselineScript = o.baseline === undefined ? [] : buildScript({ seed: o.seed, releases: Math.min(o.releases, ReleaseKind.length + 1), services: o.services, namespace, major: 1 });
  const script = buildScript({ seed: o.seed, releases: o.releases, services: o.services, namespace, major: 2 });
  const replicas = { ...defaultReplicas, ...o.replicas };

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    while (cleanups.length > 0) await cleanups.pop()?.().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  };
  try {
    const nats = await startNatsCluster({ dir: join(o.dataDir, "nats") });
    cleanups.push(() => nats.stop());
    log(`nats cluster: ${nats.urls.join(", ")}`);
    await provisionCluster(nats.urls, o.jetstream, log);

    const pool = createWorkerPool(join(o.dataDir, "workers"));
    cleanups.push(() => pool.stop());
    let promFront: HttpFront | undefined;
    cleanups.push(async () => promFront?.close());
    const merged: Record<string, string> = {};
    const starter: StartWorker = async (name, env) => {
      const e = { ...env };
      if (name === "metrics-analyzer") {
        const prom = env["SISKIN_PROMETHEUS_URL"] as string;
        promFront ??= await startHttpFront(0, () => [prom]);
        e["SISKIN_PROMETHEUS_URL"] = promFront.url;
      }
      if (o.allInOne === undefined) await pool.start(name, [name], e, replicas[name]);
      else {
        Object.assign(merged, e);
        if (name === WorkerNames[WorkerNames.length - 1]) await pool.start("siskin", WorkerNames, merged, o.allInOne);
      }
      return { stop: async () => {} };
    };
    const world = await startWorld({
      dataDir: join(o.dataDir, "world-data"),
      manifestsDir,
      externalNats: { urls: nats.urls },
      startWorker: starter,
      logLevel: "warn",
      seed: o.seed,
      slackUsers: [{ ...approver }, { ...intruder }],
      onProgress: (l) => log(l),
    });
    cleanups.push(() => world.stop());
    cleanups.push(() => pool.stop());
    await pool.ready(300_000);
    log(
      o.allInOne === undefined
        ? `${pool.replicas().length} worker processes ready (${Object.entries(replicas).map(([w, n]) => `${w}×${n}`).join(", ")})`
        : `${o.allInOne} processes each serving every worker ready`,
    );

    const nc = await connectNats({ servers: nats.urls }, "siskin-soak");
    cleanups.push(() => nc.close());
    const releases = await openKv(nc, Bucket.releases);
    const recorder = recordWorld((fn) => world.cluster.api.store.subscribe(fn), namespace);
    cleanups.push(async () => recorder.stop());
    const drive = (s: ScriptedRelease[]) =>
      driveScript(s, { world, releases, latestWeights: recorder.latest, releaseTimeoutMs: o.releaseTimeoutMs, staggerMs: 1_500, expireSeconds: 10, log });
    const startup = Date.now() - t0;

    const driven = new Map<string, DrivenRelease>();
    let noChaosMs: number | null = null;
    if (baselineScript.length > 0) {
      const t1 = Date.now();
      log(`no-chaos phase: ${baselineScript.length} releases, one of each kind`);
      for (const [k, v] of await drive(baselineScript)) driven.set(k, v);
      noChaosMs = Date.now() - t1;
    }
    const t2 = Date.now();
    const chaos =
      o.chaos === undefined || promFront === undefined
        ? undefined
        : startChaos({ pool, nats, cluster: world.cluster, prometheusFront: promFront, slack: world.slack }, o.chaos);
    log(`${chaos === undefined ? "no-chaos" : "chaos"} phase: ${script.length} releases over ${o.services} services`);
    for (const [k, v] of await drive(script)) driven.set(k, v);
    const chaosCounts = await chaos?.stop();
    const chaosMs = Date.now() - t2;
    for (const line of chaosCounts?.timeline ?? []) log(`chaos ${line}`);
    // The notifier's last replies trail the outcome; duplicates among them must be seen.
    await new Promise((r) => setTimeout(r, 3_000));
    const all = [...baselineScript, ...script];
    const facts = await collectFacts(all, releases, nc, world.slack.messages({ channel: world.slackChannel }));
    const common = { driven, facts, history: recorder.history, stepWeights: [10, 50, 100], approvers: [approver.id], freezeGraceMs: 2_000 };
    const base = checkInvariants({ ...common, script: baselineScript, history: { routes: [], vmCreates: [], migrations: [] } });
    const byKind = new Map<string, number[]>();
    for (const r of base.releases) if (r.decisionMs !== null && r.verdict === "asExpected") byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.decisionMs]);
    const baselineByKind = new Map([...byKind].map(([k, xs]) => [k, percentile(xs, 50) as number]));
    const chaosIds = new Set(script.map((r) => r.releaseId));
    const check = checkInvariants({
      ...common,
      script: all,
      ...(o.baseline === undefined ? {} : { baseline: baselineByKind, bound: o.baseline.bound, bounded: (r: ScriptedRelease) => chaosIds.has(r.releaseId) }),
    });
    const decided = (ids: Set<string>) => check.releases.filter((r) => ids.has(r.releaseId) && r.decisionMs !== null).map((r) => r.decisionMs as number);
    return {
      script,
      baselineScript,
      check,
      chaos: chaosCounts,
      decisions: { chaos: decided(chaosIds), noChaos: decided(new Set(baselineScript.map((r) => r.releaseId))) },
      baselineByKind,
      crashes: pool.crashes(),
      durationMs: { startup, noChaos: noChaosMs, chaos: chaosMs },
      driven,
      facts,
      history: recorder.history,
    };
  } finally {
    await cleanup();
    if (o.keepData !== true) rmSync(o.dataDir, { recursive: true, force: true });
  }
}
