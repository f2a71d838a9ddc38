/**
 * Chaos on a seeded schedule while the releases run: SIGKILL of a random worker replica every few
 * seconds (started again after a random delay); SIGKILL of one NATS node, then its restart; Kubernetes
 * API faults in the cluster simulator (500/503, 409, slow answers all along; watch cuts and 410 Gone
 * now and then); a Prometheus outage window (the analyzers' queries fail); Slack answering 429 with
 * Retry-After for a while. `stop()` ends the chaos and brings everything back up.
 */
import { createRng, hashSeed } from "../mesh/prng.js";
import type { ApiFaultCounts, ApiFaultSettings, RunningSimCluster } from "../cluster/index.js";
import type { NatsCluster } from "../world/nats-cluster.js";
import type { HttpFront } from "./proxy.js";
import type { WorkerPool } from "./workers.js";

/** The schedule's parameters (times from the start of the chaos). */
export interface ChaosOptions {
  seed: number;
  /** Gap between two worker kills: uniform in [min, max] ms. */
  killEveryMs: [number, number];
  /** A killed replica starts again after: uniform in [min, max] ms. */
  restartAfterMs: [number, number];
  /** NATS node kills: the first at `firstAtMs`, then every `everyMs`, each down for `downMs`, at most `count`. */
  nats: { count: number; firstAtMs: number; everyMs: number; downMs: number };
  /** API faults set for the whole run. */
  api: ApiFaultSettings;
  /** Every watch stream cut every this many ms; history expired (410 Gone) every `goneEveryMs`. */
  watchCutEveryMs: number;
  goneEveryMs: number;
  /** Prometheus unreachable for the analyzers from `atMs` for `forMs`. */
  prometheusOutage: { atMs: number; forMs: number };
  /** From `atMs`, `times` Slack calls of each method answered 429 with `Retry-After: retryAfterSec`. */
  slack429: { atMs: number; times: number; retryAfterSec: number; methods: string[] };
}

/** What the chaos did. */
export interface ChaosCounts {
  workerKills: Record<string, number>;
  natsRestarts: number;
  apiFaults: number;
  apiFaultKinds: ApiFaultCounts;
  prometheusOutageMs: number;
  prometheusRefused: number;
  slack429s: number;
  /** Timeline: one line per chaos action, with ms since the start. */
  timeline: string[];
}

/** What the chaos acts on. */
export interface ChaosTargets {
  pool: WorkerPool;
  nats: NatsCluster;
  cluster: RunningSimCluster;
  prometheusFront: HttpFront;
  slack: { rateLimit(method: string, retryAfterSec: number, times: number): void };
}

/** A running chaos schedule. */
export interface Chaos {
  /** End the chaos: clear the faults, restart what is down; resolves with what was done. */
  stop(): Promise<ChaosCounts>;
}

/** Start the schedule now. */
export function startChaos(t: ChaosTargets, o: ChaosOptions): Chaos {
  const rng = createRng(hashSeed("soak-chaos", o.seed));
  const uniform = ([a, b]: [number, number]) => a + Math.floor(rng.next() * (b - a + 1));
  const started = Date.now();
  const timeline: string[] = [];
  const note = (line: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`);
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<unknown>>();
  let stopping = false;
  let natsRestarts = 0;
  let slack429s = 0;
  let outageMs = 0;
  const later = (ms: number, fn: () => unknown): void => {
    const h = setTimeout(() => {
      timers.delete(h);
      if (stopping) return;
      const p = Promise.resolve()
        .then(fn)
        .catch((err: unknown) => note(`chaos action failed: ${(err as Error).message}`))
        .finally(() => pending.delete(p));
      pending.add(p);
    }, ms);
    timers.add(h);
  };

  const down = new Set<string>();
  // Only a ready replica is killed: one still starting is not doing work yet (as a pod not Ready).
  const killOne = (): void => {
    const up = t.pool.readyNow().filter((r) => !down.has(r.id));
    const victim = up[Math.floor(rng.next() * up.length)];
    if (victim !== undefined) {
      const after = uniform(o.restartAfterMs);
      note(`SIGKILL ${victim.id} (pid ${victim.pid()}), back in ${after} ms`);
      t.pool.kill(victim.id);
      down.add(victim.id);
      later(after, () => {
        down.delete(victim.id);
        t.pool.restart(victim.id);
      });
    }
    later(uniform(o.killEveryMs), killOne);
  };
  later(uniform(o.killEveryMs), killOne);

  let natsDown: number | undefined;
  const natsKill = async (k: number): Promise<void> => {
    const node = Math.floor(rng.next() * t.nats.urls.length);
    note(`SIGKILL nats node ${node} (${t.nats.urls[node]})`);
    natsDown = node;
    await t.nats.kill(node);
    await new Promise((r) => setTimeout(r, o.nats.downMs));
    const t0 = Date.now();
    await t.nats.start(node);
    natsDown = undefined;
    natsRestarts++;
    note(`nats node ${node} back and current after ${Date.now() - t0} ms`);
    if (k + 1 < o.nats.count) later(o.nats.everyMs, () => natsKill(k + 1));
  };
  if (o.nats.count > 0) later(o.nats.firstAtMs, () => natsKill(0));

  t.cluster.faults.set(o.api);
  note(`API faults on: ${JSON.stringify(o.api)}`);
  const cut = (): void => {
    t.cluster.faults.cutWatches();
    note("every watch stream cut");
    later(o.watchCutEveryMs, cut);
  };
  later(o.watchCutEveryMs, cut);
  const gone = (): void => {
    t.cluster.faults.expire();
    note("watch history expired (re-watches get 410 Gone)");
    later(o.goneEveryMs, gone);
  };
  later(o.goneEveryMs, gone);

  let outageStart: number | undefined;
  later(o.prometheusOutage.atMs, () => {
    outageStart = Date.now();
    t.prometheusFront.setDown(true);
    note(`Prometheus outage for ${o.prometheusOutage.forMs} ms`);
    later(o.prometheusOutage.forMs, () => {
      t.prometheusFront.setDown(false);
      outageMs += Date.now() - (outageStart ?? Date.now());
      outageStart = undefined;
      note("Prometheus back");
    });
  });
  later(o.slack429.atMs, () => {
    for (const m of o.slack429.methods) t.slack.rateLimit(m, o.slack429.retryAfterSec, o.slack429.times);
    slack429s += o.slack429.times * o.slack429.methods.length;
    note(`Slack answers 429 (Retry-After ${o.slack429.retryAfterSec} s) to the next ${o.slack429.times} calls of ${o.slack429.methods.join(", ")}`);
  });

  return {
    async stop() {
      stopping = true;
      for (const h of timers) clearTimeout(h);
      timers.clear();
      await Promise.all([...pending]);
      t.cluster.faults.set({ errorRate: 0, conflictRate: 0, slowRate: 0 });
      if (outageStart !== undefined) {
        t.prometheusFront.setDown(false);
        outageMs += Date.now() - outageStart;
      }
      if (natsDown !== undefined) {
        await t.nats.start(natsDown);
        natsRestarts++;
      }
      for (const id of down) t.pool.restart(id);
      note("chaos stopped; everything restarted");
      const kinds = t.cluster.faults.counts();
      return {
        workerKills: t.pool.kills(),
        natsRestarts,
        apiFaults: t.cluster.faults.total(),
        apiFaultKinds: kinds,
        prometheusOutageMs: outageMs,
        prometheusRefused: t.prometheusFront.refused(),
        slack429s,
        timeline,
      };
    },
  };
}
