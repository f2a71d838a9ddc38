/**
 * Releases in the pipeline world: each rollout's VirtualService and DestinationRule in the cluster
 * simulator, and the release brought to its first step by publishing the facts vm-provisioner and
 * k8s-watcher would publish (requested → provisioned → canary Ready). The orchestrator and the
 * traffic-router are real: the router shifts the first step's weight and reports it.
 */
import { Event } from "../../schemas/subjects.js";
import { createPublisher } from "../../services/runtime/publish.js";
import type { RunningSimCluster } from "../../sim/cluster/index.js";
import type { BenchRelease } from "../scale/releases.js";
import { specOf, type SeedOptions } from "../lib/seed.js";
import type { SubjectTap, VsWatch } from "./observe.js";
import type { PipelineWorld } from "./world.js";

/** Create `r`'s VirtualService (all traffic to stable) and DestinationRule (stable subset). */
export function createRolloutObjects(sim: RunningSimCluster, r: BenchRelease): void {
  const host = r.service;
  sim.store.create({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: r.service, namespace: r.namespace },
    spec: { hosts: [host], http: [{ name: "primary", route: [{ destination: { host, subset: r.stable }, weight: 100 }] }] },
  });
  sim.store.create({
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: r.service, namespace: r.namespace },
    spec: { host, subsets: [{ name: r.stable, labels: { version: r.stable } }] },
  });
}

/** Publish the facts that bring `r` to its first step (the workers' events, published directly). */
export async function publishStartFacts(world: PipelineWorld, r: BenchRelease, opts: SeedOptions = {}): Promise<void> {
  const pub = createPublisher(world.nats.nc, { source: "bench" });
  const rollout = { namespace: r.namespace, name: r.service };
  const vmi = { namespace: r.namespace, name: `${r.service}-${r.canary.replace(/\./g, "-")}` };
  await pub.publish(Event.releaseRequested, {
    releaseId: r.releaseId,
    id: `bench-req-${r.releaseId}`,
    data: { rollout, spec: specOf(r, opts), version: r.canary, tag: r.canary, requestedBy: { kind: "cli", id: "bench" }, idempotencyKey: `bench-${r.releaseId}` },
  });
  await pub.publish(Event.vmProvisioned, { releaseId: r.releaseId, id: `bench-prov-${r.releaseId}`, data: { vm: vmi, version: r.canary, created: true } });
  await pub.publish(Event.vmReadyChanged, {
    releaseId: r.releaseId,
    id: `bench-ready-${r.releaseId}`,
    data: { vmi, version: r.canary, rollout, app: r.service, resourceVersion: "1", ready: true },
  });
}

/** Bring every release to its first step; resolves once each is analyzing with its canary weight set. */
export async function startReleases(
  world: PipelineWorld,
  releases: readonly BenchRelease[],
  watch: VsWatch,
  progressed: SubjectTap,
  opts: SeedOptions & { timeoutMs?: number } = {},
): Promise<void> {
  const t0 = performance.now();
  for (const r of releases) createRolloutObjects(world.sim, r);
  for (const r of releases) await publishStartFacts(world, r, opts);
  const timeout = opts.timeoutMs ?? 60_000;
  for (const r of releases) {
    await watch.until(r.namespace, r.service, (w) => (w[r.canary] ?? 0) > 0, timeout, "the first step's canary weight");
    await progressed.next(r.releaseId, (d) => d["to"] === "step.analyzing", t0, timeout);
  }
}
