/**
 * The floors other figures are compared with, measured on the same machine in the same run: a bare
 * NATS request/reply round trip, one JetStream publish (acked), the raw JetStream publish rate, and
 * one merge PATCH of a VirtualService in the cluster simulator (and the watch seeing it).
 */
import * as k8s from "@kubernetes/client-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RunningSimCluster } from "../../sim/cluster/index.js";
import { since, summarize, type Summary } from "./stats.js";

const BENCH_STREAM = "BENCH";
const BENCH_SUBJECT = "bench.floor";

/** A NATS core request/reply round trip, `n` times in a row (a subscriber on the same server replies). */
export async function natsRoundTrip(nc: NatsConnection, n: number): Promise<Summary> {
  const sub = nc.subscribe("bench.echo", { callback: (_e, m) => void m.respond(m.data) });
  const payload = new Uint8Array(256);
  try {
    for (let i = 0; i < 20; i++) await nc.request("bench.echo", payload, { timeout: 5000 }); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await nc.request("bench.echo", payload, { timeout: 5000 });
      samples.push(since(t0));
    }
    return summarize(samples);
  } finally {
    sub.unsubscribe();
  }
}

async function benchStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.delete(BENCH_STREAM);
  } catch {
    // absent: fine
  }
  await jsm.streams.add({ name: BENCH_STREAM, subjects: ["bench.>"], max_msgs: 200_000 });
}

/** One acked JetStream publish of a 512-byte message, `n` times in a row, with a msgID as Siskin publishes. */
export async function jetStreamPublishLatency(nc: NatsConnection, n: number): Promise<Summary> {
  await benchStream(nc);
  const js = jetstream(nc);
  const payload = new Uint8Array(512);
  for (let i = 0; i < 20; i++) await js.publish(BENCH_SUBJECT, payload, { msgID: `warm-${i}` });
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await js.publish(BENCH_SUBJECT, payload, { msgID: `lat-${i}` });
    samples.push(since(t0));
  }
  return summarize(samples);
}

/**
 * The raw JetStream publish rate: `total` 512-byte messages with msgIDs, `window` acks outstanding
 * at once, `runs` times. Returns messages per second per run.
 */
export async function jetStreamPublishRate(nc: NatsConnection, total: number, runs: number, window = 256): Promise<Summary> {
  await benchStream(nc);
  const js = jetstream(nc);
  const payload = new Uint8Array(512);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let next = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < total) {
        const i = next++;
        await js.publish(BENCH_SUBJECT, payload, { msgID: `rate-${r}-${i}` });
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    rates.push(total / (since(t0) / 1000));
  }
  return summarize(rates);
}

/** Delete the benchmark stream. */
export async function dropBenchStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(BENCH_STREAM).catch(() => false);
}

const VS_GROUP = "networking.istio.io";

/** A VirtualService `name` splitting `host` between subsets stable and canary. */
export function virtualService(namespace: string, name: string, host: string, stableWeight: number, labels: Record<string, string> = {}) {
  return {
    apiVersion: `${VS_GROUP}/v1`,
    kind: "VirtualService",
    metadata: { name, namespace, labels: { app: host, ...labels } },
    spec: {
      hosts: [host],
      http: [
        {
          name: "primary",
          route: [
            { destination: { host, subset: "stable" }, weight: stableWeight },
            { destination: { host, subset: "canary" }, weight: 100 - stableWeight },
          ],
        },
      ],
    },
  };
}

/** Floors of the cluster simulator: a merge PATCH as client-node sends it, and PATCH → watch event. */
export interface SimFloors {
  patch: Summary;
  patchToWatch: Summary;
}

/** Measure `n` merge PATCHes of one VirtualService, and the time until a client-node watch sees each. */
export async function simPatchFloors(sim: RunningSimCluster, n: number): Promise<SimFloors> {
  const ns = "default";
  const name = "bench-floor";
  sim.store.create(virtualService(ns, name, "bench-floor", 90));
  const kc = sim.kubeConfig();
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const ref = { group: VS_GROUP, version: "v1", namespace: ns, plural: "virtualservices", name };
  const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
  let waiting: { weight: number; resolve: () => void } | null = null;
  const watch = await new k8s.Watch(kc).watch(
    `/apis/${VS_GROUP}/v1/namespaces/${ns}/virtualservices`,
    { fieldSelector: `metadata.name=${name}` },
    (_type, obj: { spec?: { http?: Array<{ route?: Array<{ weight?: number }> }> } }) => {
      const w = obj.spec?.http?.[0]?.route?.[0]?.weight;
      if (waiting !== null && w === waiting.weight) waiting.resolve();
    },
    () => undefined,
  );
  const body = (w: number) => ({ spec: virtualService(ns, name, "bench-floor", w).spec });
  try {
    const patch: number[] = [];
    const toWatch: number[] = [];
    const warmUp = 10;
    for (let i = 0; i < n + warmUp; i++) {
      const w = i % 2 === 0 ? 100 : 90;
      const seen = new Promise<void>((resolve) => (waiting = { weight: w, resolve }));
      const t0 = performance.now();
      await api.patchNamespacedCustomObject({ ...ref, body: body(w) }, merge);
      const p = since(t0);
      await seen;
      if (i >= warmUp) {
        patch.push(p);
        toWatch.push(since(t0));
      }
      waiting = null;
    }
    return { patch: summarize(patch), patchToWatch: summarize(toWatch) };
  } finally {
    watch.abort();
  }
}
