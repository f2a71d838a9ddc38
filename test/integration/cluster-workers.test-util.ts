/**
 * Shared setup of the cluster workers' integration tests (k8s-watcher, vm-provisioner,
 * traffic-router): the simulated cluster, a real provisioned nats-server, a kubeconfig file, and
 * readers of what reached the streams.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { decode, type MessageOf } from "../../schemas/codec.js";
import { Stream, type Subject } from "../../schemas/subjects.js";
import { connectNats, provision } from "../../services/runtime/index.js";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { startNats, waitFor, type NatsServer } from "../harness/index.js";

/** A simulated cluster and a real NATS, wired for a worker. */
export interface World {
  sim: RunningSimCluster;
  nats: NatsServer;
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** A kubeconfig file pointing at the simulator. */
  kubeconfigPath: string;
  /** Env for a worker's `main()`: NATS, kubeconfig, a free health port. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Start the simulator (manual clock at `t0`) and a provisioned nats-server. */
export async function startWorld(t0 = Date.parse("2026-03-01T12:00:00Z")): Promise<World> {
  const sim = await startSimCluster({ clock: () => t0, historyLimit: 1000, bookmarkMs: 0 });
  const nats = await startNats();
  const nc = await connectNats({ servers: [nats.url] }, "cluster-workers-test");
  await provision(nc);
  const jsm = await jetstreamManager(nc);
  const dir = mkdtempSync(join(tmpdir(), "siskin-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  await sim.writeKubeconfig(kubeconfigPath);
  return {
    sim,
    nats,
    nc,
    jsm,
    kubeconfigPath,
    env: { SISKIN_NATS_SERVERS: nats.url, SISKIN_KUBECONFIG: kubeconfigPath, SISKIN_HTTP_PORT: "0", SISKIN_LOG_LEVEL: "silent" },
    async stop() {
      await nc.close();
      await nats.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A decoded message read from a stream, with its JetStream msgID. */
export interface Stored {
  seq: number;
  subject: string;
  msgId: string | undefined;
  msg: MessageOf<Subject>;
}

/** Every message of `stream` whose subject starts with `prefix`, in order. */
export async function readStream(jsm: JetStreamManager, prefix: string, stream: string = Stream.events.name): Promise<Stored[]> {
  const info = await jsm.streams.info(stream);
  const out: Stored[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m === null || !m.subject.startsWith(prefix)) continue;
    out.push({ seq, subject: m.subject, msgId: m.header.get("Nats-Msg-Id") || undefined, msg: decode(m.subject, m.data) });
  }
  return out;
}

/** Waits until `pick` finds something among the stream's messages under `prefix`. */
export async function waitForEvent<T>(jsm: JetStreamManager, prefix: string, pick: (all: Stored[]) => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  return waitFor(async () => pick(await readStream(jsm, prefix)), { timeoutMs, what, intervalMs: 50 });
}
