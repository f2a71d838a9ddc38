/**
 * The orchestrator against a real nats-server: one whole release driven by the events the workers
 * would publish, with the orchestrator killed at every step boundary (after the save, after the
 * publish), and two replicas consuming the same durable at once. The COMMANDS stream is read by
 * sequence (its work-queue consumers stay idle), so every stored command is counted.
 */
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Subject } from "../../schemas/subjects.js";
import { Bucket, Consumer, Header, releaseKey, rolloutKey, Stream } from "../../schemas/subjects.js";
import { inspect, type StoredRelease } from "../../services/orchestrator/host.js";
import { main } from "../../services/orchestrator/main.js";
import { counterTotal, createOrchestratorMetrics, type OrchestratorMetrics } from "../../services/orchestrator/metrics.js";
import { openPorts } from "../../services/orchestrator/nats-ports.js";
import type { ReleaseValue } from "../../services/orchestrator/ports.js";
import { createService, type OrchestratorService } from "../../services/orchestrator/service.js";
import { createWorld, happyScript, instance, requestFor, silentLog, type ScriptStep } from "../../services/orchestrator/kit.test-util.js";
import { connectNats, createPublisher, openKv, provision, startConsumer, type RunningConsumer } from "../../services/runtime/index.js";
import { RELEASE_ID, T0 } from "../../workflows/canary/fixtures.test-util.js";
import { startNats, waitFor, type NatsServer } from "../harness/index.js";

let srv: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
const clock = { now: T0 };
const quiet = pino({ level: process.env.ORCH_TEST_LOG ?? "silent" });

beforeAll(async () => {
  srv = await startNats();
  nc = await connectNats({ servers: [srv.url] }, "orchestrator-test");
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
  await srv?.stop();
});
// Every test replays the same release (same msgIds): start from new streams, so JetStream's
// duplicate window (which a purge keeps) holds nothing of the previous test.
beforeEach(async () => {
  handled.clear();
  for (const s of [...Object.values(Stream).map((x) => x.name), `KV_${Bucket.releases}`, `KV_${Bucket.rollouts}`]) await jsm.streams.delete(s).catch(() => false);
  // A message a killed consumer had pulled comes back after ack_wait, as after a real crash: keep it short.
  await provision(nc, { ackWaitMs: 2000 });
  clock.now = T0;
});

interface Published {
  seq: number;
  subject: string;
  msgId: string;
  data: unknown;
}

/** Every message of `stream`, read by sequence (no consumer involved). */
async function streamMessages(stream: string): Promise<Published[]> {
  const info = await jsm.streams.info(stream);
  const out: Published[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m === null) continue;
    out.push({ seq, subject: m.subject, msgId: m.header.get(Header.msgId), data: (m.json() as { data: unknown }).data });
  }
  return out;
}

/** What the orchestrator published for `releaseId` (commands and release events), in msgId order. */
async function orchestratorOutput(releaseId = RELEASE_ID): Promise<Published[]> {
  const all = [...(await streamMessages(Stream.commands.name)), ...(await streamMessages(Stream.events.name))];
  const n = (id: string) => Number(id.slice(releaseId.length + 1));
  return all.filter((m) => m.msgId.startsWith(`${releaseId}:`)).sort((a, b) => n(a.msgId) - n(b.msgId));
}

const nameOf = (m: { subject: string; data: unknown }) =>
  m.subject === "cmd.traffic.set_weights" ? `set_weights:${(m.data as { canaryWeight: number }).canaryWeight}` : m.subject;

async function stored(releaseId = RELEASE_ID): Promise<ReleaseValue | null> {
  const e = await (await openKv(nc, Bucket.releases)).get(releaseKey(releaseId));
  return (e?.value as ReleaseValue | undefined) ?? null;
}

/** Wait until the orchestrator's durable has nothing pending or unacked. */
async function settled(what: string): Promise<void> {
  await waitFor(
    async () => {
      const i = await jsm.consumers.info(Consumer.orchestrator.stream, "orchestrator");
      return i.num_pending === 0 && i.num_ack_pending === 0;
    },
    { timeoutMs: 10_000, what: `the orchestrator consumer to settle (${what})` },
  );
}

type CrashAt = "afterSave" | "afterPublish" | null;

interface Instance {
  svc: OrchestratorService;
  metrics: OrchestratorMetrics;
  consumer: RunningConsumer;
  crashed: Promise<void>;
  isDead(): boolean;
  stop(): Promise<void>;
}

/** Ids some instance handled to the end (acked). */
const handled = new Set<string>();

/** A fresh orchestrator process on the same streams and buckets; `crashAt` kills it once, there. */
async function startInstance(crashAt: CrashAt): Promise<Instance> {
  const metrics = createOrchestratorMetrics();
  const ports = await openPorts(nc, metrics, "orchestrator-test");
  let dead = false;
  let onCrash = () => {};
  const crashed = new Promise<void>((r) => (onCrash = r));
  const hook = (at: CrashAt) => () => {
    if (crashAt !== at || dead) return;
    dead = true;
    onCrash();
    throw new Error(`simulated crash ${at}`);
  };
  const svc = createService({ ...ports, metrics, log: silentLog, clock: () => clock.now, faults: { afterSave: hook("afterSave"), afterPublish: hook("afterPublish") } });
  const consumer = await startConsumer(
    nc,
    "orchestrator",
    async (msg) => {
      // A killed process handles nothing more: the message goes back to the stream.
      if (dead) throw new Error("this orchestrator instance was killed");
      await svc.handle(msg);
      handled.add(msg.id);
    },
    { logger: quiet, backoffMs: [100], registry: new Registry(), batch: 1 },
  );
  return { svc, metrics, consumer, crashed, isDead: () => dead, stop: () => consumer.stop() };
}

/** The reference: the same script on the in-memory world, without crashes. */
async function reference(script: ScriptStep[]) {
  const w = createWorld();
  const svc = instance(w);
  for (const s of script) {
    w.clock.now = s.at;
    if (s.msg) await svc.handle(s.msg);
    else await svc.tick(s.at);
  }
  return w.publisher.stored.map((c) => ({ msgId: c.msgId, subject: c.subject as string, data: c.data as unknown }));
}

async function waitForCommand(name: string, releaseId = RELEASE_ID) {
  await waitFor(async () => (await orchestratorOutput(releaseId)).some((m) => nameOf(m) === name), { timeoutMs: 10_000, what: `the orchestrator to publish ${name}` });
}

describe("orchestrator durability (real nats-server)", () => {
  it("killed after the save and after the publish at every step, it still promotes with each command stored exactly once", async () => {
    const script = happyScript(RELEASE_ID);
    const events = createPublisher(nc, { source: "workers", now: () => new Date(clock.now) });
    const allMetrics: OrchestratorMetrics[] = [];
    let crashes = 0;
    for (const step of script) {
      clock.now = step.at;
      if (step.answers !== undefined) await waitForCommand(step.answers);
      if (step.msg !== undefined) {
        const m = step.msg;
        await events.publish(m.type as Subject, { id: m.id, data: m.data as never, ...(m.releaseId === undefined ? {} : { releaseId: m.releaseId }) });
      }
      // Three processes in a row: killed after the save, killed after the (re)publish, then one that finishes.
      for (const crashAt of ["afterSave", "afterPublish", null] as const) {
        const inst = await startInstance(crashAt);
        allMetrics.push(inst.metrics);
        if (step.msg === undefined) {
          await inst.svc.tick(step.at);
        } else {
          const id = step.msg.id;
          await waitFor(() => inst.isDead() || handled.has(id), { timeoutMs: 10_000, what: `${step.what} to be handled or to crash the instance` });
        }
        if (inst.isDead()) crashes++;
        await inst.stop();
      }
    }
    const rec = await stored();
    expect(rec).not.toBeNull();
    expect(inspect(rec as StoredRelease)).toMatchObject({ state: "succeeded", done: true });
    expect(rec?.outbox).toEqual([]);
    expect(crashes).toBe(script.length * 2); // every step saved, so every step killed two instances

    // Exactly the commands (and release events) of an uninterrupted run, each stored once.
    const want = await reference(script);
    const got = await orchestratorOutput();
    expect(got.map((m) => [m.msgId, m.subject])).toEqual(want.map((m) => [m.msgId, m.subject]));
    expect(got.map((m) => m.data)).toEqual(want.map((m) => m.data));
    const commands = await streamMessages(Stream.commands.name);
    expect(commands).toHaveLength(want.filter((m) => m.subject.startsWith("cmd.")).length);
    expect(new Set(commands.map((m) => m.msgId)).size).toBe(commands.length);
    expect(commands.map(nameOf).filter((n) => n !== "cmd.status.write")).toEqual([
      "cmd.vm.provision", "set_weights:10", "cmd.analysis.start", "set_weights:50", "set_weights:100", "cmd.analysis.stop", "cmd.vm.stop",
      // The rollback window passed: versions beyond revisionHistoryLimit are pruned (#18).
      "cmd.vm.prune", "cmd.traffic.prune",
    ]);
    // The repeats really happened, and JetStream dropped them.
    let dropped = 0;
    for (const m of allMetrics) dropped += await counterTotal(m.published, { duplicate: "true" });
    expect(dropped).toBeGreaterThan(0);
    // The rollout is free again.
    expect(await (await openKv(nc, Bucket.rollouts)).get(rolloutKey("shop", "ratings"))).toBeNull();
  });

  it("two replicas consuming one durable at once never both advance a release", async () => {
    const script = happyScript(RELEASE_ID);
    const events = createPublisher(nc, { source: "workers", now: () => new Date(clock.now) });
    const a = await startInstance(null);
    const b = await startInstance(null);
    try {
      for (const step of script) {
        clock.now = step.at;
        if (step.answers !== undefined) await waitForCommand(step.answers);
        const m = step.msg;
        const sends: Array<Promise<unknown>> = [a.svc.tick(step.at), b.svc.tick(step.at)];
        if (m !== undefined) {
          const extra = m.releaseId === undefined ? {} : { releaseId: m.releaseId };
          sends.push(events.publish(m.type as Subject, { id: m.id, data: m.data as never, ...extra }));
          // The same fact from a second source (another id): it must change nothing more.
          if (m.type !== "evt.analysis.completed" && m.type !== "evt.release.requested") {
            sends.push(events.publish(m.type as Subject, { id: `${m.id}-again`, data: m.data as never, ...extra }));
          }
        }
        await Promise.all(sends);
        await settled(step.what);
        await Promise.all([a.svc.tick(step.at), b.svc.tick(step.at)]);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
    const rec = (await stored()) as ReleaseValue;
    expect(inspect(rec)).toMatchObject({ state: "succeeded", done: true });
    // They did race (concurrent ticks and duplicate facts), and the revision check settled every race.
    const conflicts = (await counterTotal(a.metrics.kvOps, { outcome: "conflict" })) + (await counterTotal(b.metrics.kvOps, { outcome: "conflict" }));
    expect(conflicts).toBeGreaterThan(0);
    // One history: consecutive seqs, each transition starting where the previous one ended.
    expect(rec.audit.map((x) => x.seq)).toEqual(rec.audit.map((_, i) => i));
    for (let i = 1; i < rec.audit.length; i++) expect(rec.audit[i]?.from).toBe(rec.audit[i - 1]?.to);
    const progressed = (await orchestratorOutput()).filter((m) => m.subject === "evt.release.progressed").map((m) => (m.data as { seq: number }).seq);
    expect(progressed.length).toBeGreaterThan(5);
    expect(new Set(progressed).size).toBe(progressed.length);
    const commands = await streamMessages(Stream.commands.name);
    expect(new Set(commands.map((m) => m.msgId)).size).toBe(commands.length);
    expect(commands.map(nameOf).filter((n) => n.startsWith("set_weights"))).toEqual(["set_weights:10", "set_weights:50", "set_weights:100"]);
  });

  it("main() provisions, consumes, ticks and serves health and metrics", async () => {
    const running = await main({ SISKIN_NATS_SERVERS: srv.url, SISKIN_HTTP_PORT: "0", SISKIN_TICK_MS: "50", SISKIN_LOG_LEVEL: "silent" });
    try {
      expect((await fetch(`${running.healthUrl}/readyz`)).status).toBe(200);
      const now = Date.now();
      const req = requestFor();
      await createPublisher(nc, { source: "release-trigger" }).publish("evt.release.requested", { id: `${req.id}-main`, data: { ...req.data, idempotencyKey: `main-${now}` } });
      await waitForCommand("cmd.vm.provision");
      const index = await waitFor(async () => (await (await openKv(nc, Bucket.rollouts)).get(rolloutKey("shop", "ratings")))?.value as Record<string, unknown> | undefined, {
        timeoutMs: 5000,
        what: "the rollout index entry",
      });
      expect(index).toMatchObject({ releaseId: RELEASE_ID, slot: { live: { releaseId: RELEASE_ID } } });
      const metrics = await (await fetch(`${running.healthUrl}/metrics`)).text();
      expect(metrics).toMatch(/siskin_orchestrator_kv_ops_total\{bucket="siskin-releases",op="create",outcome="ok"\} 1/);
      expect(metrics).toContain("siskin_orchestrator_events_total");
      // the ticker runs: the provisioning deadline is far, so it only lists the index
      await waitFor(async () => /siskin_orchestrator_tick_duration_seconds_count [1-9]/.test(await (await fetch(`${running.healthUrl}/metrics`)).text()), {
        timeoutMs: 5000,
        what: "a tick",
      });
    } finally {
      await running.stop();
    }
  });
});
