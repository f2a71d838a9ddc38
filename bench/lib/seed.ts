/**
 * Releases in flight, made the way the orchestrator makes them: each release's events (requested →
 * provisioned → canary Ready → weights set at the first step) applied with the orchestrator's pure
 * `applyEvent`, and the resulting records written to the `siskin-releases` and `siskin-rollouts`
 * buckets exactly as release-step.ts and slots.ts store them (outbox published and cleared).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { message, type MessageOf } from "../../schemas/codec.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { Bucket, Event, releaseKey, rolloutKey, type Subject } from "../../schemas/subjects.js";
import { applyEvent, type HostEvent, type StoredRelease } from "../../services/orchestrator/host.js";
import { entryFromContext } from "../../services/orchestrator/index-entry.js";
import type { IndexValue, ReleaseValue } from "../../services/orchestrator/ports.js";
import { openKv } from "../../services/runtime/kv.js";
import { releaseOf, type BenchRelease } from "../scale/releases.js";

/** Options of the seeded releases. */
export interface SeedOptions {
  /** Analysis interval (default 60 s). */
  intervalSeconds?: number;
  /** Consecutive failed intervals tolerated (default 1). */
  failureLimit?: number;
  /** Extra spec fields. */
  spec?: Partial<VMRolloutSpec>;
}

/** The spec of release `r`: VirtualService and DestinationRule named as the service. */
export function specOf(r: BenchRelease, opts: SeedOptions = {}): VMRolloutSpec {
  return {
    service: r.service,
    virtualService: { name: r.service },
    destinationRule: { name: r.service },
    stableVersion: r.stable,
    vmTemplate: { spec: { domain: { devices: {} } } },
    analysis: { intervalSeconds: opts.intervalSeconds ?? 60, failureLimit: opts.failureLimit ?? 1 },
    rollbackWindowSeconds: 300,
    ...opts.spec,
  };
}

let ids = 0;
function envelope<S extends Subject>(subject: S, data: MessageOf<S>["data"], releaseId: string, at: number): HostEvent {
  return message(subject, { id: `seed-${ids++}`, occurredAt: new Date(at).toISOString(), releaseId, data }) as unknown as HostEvent;
}

/** The records of release `r` brought to its first step at `t0` (events 1 s apart). */
export function seededRecords(r: BenchRelease, t0: number, opts: SeedOptions = {}): { release: ReleaseValue; index: IndexValue; now: number } {
  const spec = specOf(r, opts);
  const [namespace = "", name = ""] = r.releaseId.split("/");
  const vmi = { namespace, name: `${r.service}-${r.canary.replace(/\./g, "-")}` };
  const requested = message(Event.releaseRequested, {
    id: `req-${r.releaseId}`,
    occurredAt: new Date(t0).toISOString(),
    releaseId: r.releaseId,
    data: { rollout: { namespace, name }, spec, version: r.canary, tag: r.canary, requestedBy: { kind: "cli", id: "bench" }, idempotencyKey: `bench-${r.releaseId}` },
  }) as unknown as HostEvent;
  const fact = { vmi, version: r.canary, rollout: { namespace, name }, app: r.service, resourceVersion: "1" };
  const events: Array<[HostEvent, number]> = [
    [requested, t0],
    [envelope(Event.vmProvisioned, { vm: vmi, version: r.canary, created: true }, r.releaseId, t0 + 1000), t0 + 1000],
    [envelope(Event.vmReadyChanged, { ...fact, ready: true }, r.releaseId, t0 + 2000), t0 + 2000],
    [envelope(Event.trafficWeightsSet, { canaryWeight: 10, routes: [], resourceVersion: "2", attempts: 1 }, r.releaseId, t0 + 3000), t0 + 3000],
  ];
  let stored: StoredRelease | null = null;
  let last: ReturnType<typeof applyEvent> | null = null;
  const processed: string[] = [];
  for (const [ev, at] of events) {
    last = applyEvent(stored, ev, at);
    stored = last.stored;
    if ("id" in ev && typeof ev.id === "string") processed.push(ev.id);
  }
  if (last === null || stored === null) throw new Error(`seed: no events applied to ${r.releaseId}`);
  if (!last.state.startsWith("step.")) throw new Error(`seed: ${r.releaseId} reached ${last.state}, not a step; the workflow changed`);
  const now = t0 + 3000;
  const release: ReleaseValue = { ...stored, outbox: [], processed };
  const slot = { rollout: { namespace, name }, service: r.service, stableVersion: r.stable, live: { releaseId: r.releaseId, version: r.canary }, queued: null, keys: [`bench-${r.releaseId}`] };
  return { release, index: { ...entryFromContext(last.context, last.state, now), slot }, now };
}

async function limited(count: number, width: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await run(next++);
  }));
}

const TEMPLATE: BenchRelease = { releaseId: "tmplns/tmplsvc/v2.0.0", namespace: "tmplns", service: "tmplsvc", stable: "v1.0.0", canary: "v2.0.0" };

/**
 * The records of every release from one template: applying the events costs ~2 ms per release
 * (xstate), too slow for 5,000, so the template's JSON gets each release's namespace and service.
 * The releases of one seed differ only in those names, as releases of one fleet would.
 */
export function recordFactory(t0: number, opts: SeedOptions = {}): { make(r: BenchRelease): { release: ReleaseValue; index: IndexValue }; now: number } {
  if (releaseOf(0).canary !== TEMPLATE.canary) throw new Error("seed: the template's versions must match releaseOf()");
  const rec = seededRecords(TEMPLATE, t0, opts);
  const text = JSON.stringify({ release: rec.release, index: rec.index });
  return {
    now: rec.now,
    make: (r) => JSON.parse(text.replaceAll("tmplns", r.namespace).replaceAll("tmplsvc", r.service)) as { release: ReleaseValue; index: IndexValue },
  };
}

/** Write releases `from..from+count-1` to KV; returns them and the time they reached their step. */
export async function seedReleases(nc: NatsConnection, count: number, t0: number, opts: SeedOptions & { from?: number } = {}): Promise<{ releases: BenchRelease[]; now: number }> {
  const releasesKv = await openKv(nc, Bucket.releases);
  const rolloutsKv = await openKv(nc, Bucket.rollouts);
  const from = opts.from ?? 0;
  const releases = Array.from({ length: count }, (_, i) => releaseOf(from + i));
  const factory = recordFactory(t0, opts);
  await limited(count, 64, async (i) => {
    const r = releases[i] as BenchRelease;
    const rec = factory.make(r);
    await releasesKv.put(releaseKey(r.releaseId), rec.release);
    await rolloutsKv.put(rolloutKey(r.namespace, r.service), rec.index);
  });
  return { releases, now: factory.now };
}
