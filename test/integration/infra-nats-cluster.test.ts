// The shipped cluster config (infra/k8s/nats/nats-cluster.conf + the generated users) runs three real
// nats-servers as one JetStream cluster: provision with replicas 3 places every stream and bucket on all
// three, and a worker still gets PubAcks after one server is killed.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bucket, Stream } from "../../schemas/subjects.js";
import { ADMIN_USER, natsPasswordEnv, workerAccess } from "../../scripts/lib/nats-permissions.js";
import { createPublisher, provision } from "../../services/runtime/index.js";
import { inboxPrefixFor } from "../../services/runtime/nats.js";
import { freePort, natsServerBinary, waitFor } from "../harness/index.js";
import { spawnServer, type ServerProcess } from "../../sim/world/process.js";
import { root, tempDir } from "../infra-tools.test-util.js";

const tmp = tempDir("nats-cluster");
const password = (u: string) => `pw-${u}-cluster-test`;
const servers: Array<{ proc: ServerProcess; client: number; monitor: number }> = [];
const conns: NatsConnection[] = [];

/** The shipped config with the pod's addresses replaced by loopback ports; fails if the config's shape changed. */
function localConfig(i: number, ports: Array<{ client: number; monitor: number; cluster: number }>): string {
  let text = readFileSync(join(root, "infra/k8s/nats/nats-cluster.conf"), "utf8");
  const p = ports[i] as { client: number; monitor: number; cluster: number };
  const replace = (from: string | RegExp, to: string) => {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`nats-cluster.conf no longer contains ${String(from)}; update this test`);
    text = next;
  };
  replace('listen: "0.0.0.0:4222"', `listen: "127.0.0.1:${p.client}"`);
  replace('http: "0.0.0.0:8222"', `http: "127.0.0.1:${p.monitor}"`);
  replace('listen: "0.0.0.0:6222"', `listen: "127.0.0.1:${p.cluster}"`);
  replace('store_dir: "/data/jetstream"', `store_dir: ${JSON.stringify(join(tmp.dir, `js-${i}`))}`);
  replace('pid_file: "/var/run/nats/nats.pid"', `pid_file: ${JSON.stringify(join(tmp.dir, `nats-${i}.pid`))}`);
  for (let n = 0; n < 3; n++) replace(`nats://siskin-nats-${n}.siskin-nats-headless:6222`, `nats://127.0.0.1:${ports[n]?.cluster}`);
  return text;
}

beforeAll(async () => {
  process.env.SISKIN_NATS_PASSWORD_ADMIN = password(ADMIN_USER);
  for (const u of Object.keys(workerAccess)) process.env[natsPasswordEnv(u)] = password(u);
  const ports: Array<{ client: number; monitor: number; cluster: number }> = [];
  for (let i = 0; i < 3; i++) ports.push({ client: await freePort(), monitor: await freePort(), cluster: await freePort() });
  const started = ports.map(async (p, i) => {
    const dir = join(tmp.dir, `server-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "nats.conf"), localConfig(i, ports));
    copyFileSync(join(root, "infra/k8s/nats/authorization.conf"), join(dir, "authorization.conf"));
    // server_name comes from $POD_NAME, as in the StatefulSet.
    process.env.POD_NAME = `siskin-nats-${i}`;
    const proc = await spawnServer({
      name: `nats-server siskin-nats-${i}`,
      bin: natsServerBinary(),
      args: ["-c", join(dir, "nats.conf")],
      readyUrl: `http://127.0.0.1:${p.monitor}/healthz?js-enabled-only=true`,
    });
    servers[i] = { proc, client: p.client, monitor: p.monitor };
  });
  await Promise.all(started);
  // JetStream answers once the meta group has a leader.
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${ports[0]?.monitor}/jsz`);
      const jsz = (await res.json()) as { meta_cluster?: { leader?: string; cluster_size?: number } };
      return jsz.meta_cluster?.leader !== undefined && jsz.meta_cluster.leader !== "" && jsz.meta_cluster.cluster_size === 3;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "the JetStream meta group of 3 servers to elect a leader" },
  );
});

afterAll(async () => {
  for (const c of conns) await c.close().catch(() => undefined);
  for (const s of servers) await s?.proc.stop();
  tmp.remove();
});

const urls = () => servers.map((s) => `nats://127.0.0.1:${s.client}`);

describe("NATS cluster from infra/k8s/nats/nats-cluster.conf", () => {
  it("names each server after its pod and forms one cluster of three", async () => {
    const varz = (await (await fetch(`http://127.0.0.1:${servers[1]?.monitor}/varz`)).json()) as { server_name: string; cluster: { name: string } };
    expect(varz.server_name).toBe("siskin-nats-1");
    expect(varz.cluster.name).toBe("siskin");
  });

  it("provisions every stream and KV bucket with three replicas", async () => {
    const admin = await connect({ servers: urls(), user: ADMIN_USER, pass: password(ADMIN_USER) });
    conns.push(admin);
    await waitFor(async () => (await provision(admin, { replicas: 3 })) !== undefined, { timeoutMs: 30_000, intervalMs: 500, what: "provision with replicas 3" });
    const jsm = await jetstreamManager(admin);
    for (const name of [...Object.values(Stream).map((s) => s.name), ...Object.values(Bucket).map((b) => `KV_${b}`)]) {
      const info = await jsm.streams.info(name);
      expect(info.config.num_replicas, name).toBe(3);
      expect(info.cluster?.replicas?.length, name).toBe(2);
    }
  });

  it("keeps taking a worker's events after one server dies", async () => {
    // As the worker connects (services/runtime/nats.ts): its own reply prefix, the only one its permissions allow.
    const nc = await connect({ servers: urls(), user: "traffic-router", pass: password("traffic-router"), inboxPrefix: inboxPrefixFor("traffic-router"), reconnectTimeWait: 100 });
    conns.push(nc);
    const pub = createPublisher(nc, { source: "traffic-router" });
    const data = { canaryWeight: 10, code: "SISKIN_ERR_CONFLICT", message: "cluster test", retryable: true };
    expect((await pub.publish("evt.traffic.weights_failed", { releaseId: "bookinfo/ratings/v2", data })).seq).toBeGreaterThan(0);
    await servers[2]?.proc.stop({ kill: true });
    const ack = await waitFor(
      async () => pub.publish("evt.traffic.weights_failed", { releaseId: "bookinfo/ratings/v2", data }),
      { timeoutMs: 30_000, intervalMs: 200, what: "a PubAck from the two remaining servers" },
    );
    expect(ack.seq).toBeGreaterThan(1);
  });
});
