import { jetstreamManager } from "@nats-io/jetstream";
import { Registry } from "prom-client";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { SiskinError } from "../../schemas/errors.js";
import { Command, Consumer, Event, Header, Stream, deadLetterSubject, type Subject } from "../../schemas/subjects.js";
import type { MessageOf } from "../../schemas/codec.js";
import { createPublisher, startConsumer, type DeliveryContext, type RunningConsumer } from "../../services/runtime/index.js";
import { waitFor } from "../harness/index.js";
import { deadLetters, memoryLogger, natsFixture, publishRaw, type NatsFixture } from "./runtime.test-util.js";

let fx: NatsFixture;
beforeAll(async () => {
  fx = await natsFixture();
});
afterAll(async () => {
  await fx?.stop();
});

// Each test starts from empty streams so counts and "not redelivered" checks are exact.
beforeEach(async () => {
  for (const s of Object.values(Stream)) await fx.jsm.streams.purge(s.name);
});
const running: RunningConsumer[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

type Seen = { msg: MessageOf<Subject>; ctx: DeliveryContext; at: number };

function recorder(fail?: (s: Seen) => Error | undefined) {
  const seen: Seen[] = [];
  const handler = async (msg: MessageOf<Subject>, ctx: DeliveryContext) => {
    const s = { msg, ctx, at: performance.now() };
    seen.push(s);
    const err = fail?.(s);
    if (err !== undefined) throw err;
  };
  return { seen, handler };
}

const envelope = (subject: string, data: unknown, id = `raw-${Math.random().toString(36).slice(2)}`) =>
  JSON.stringify({ id, type: subject, v: 1, occurredAt: "2026-01-01T00:00:00Z", releaseId: "shop/cart/v2", data });

async function consumerState(name: keyof typeof Consumer) {
  return fx.jsm.consumers.info(Consumer[name].stream, name);
}

describe("startConsumer", () => {
  it("acks what the handler takes, with decoded message and delivery context, and counts it", async () => {
    const registry = new Registry();
    const { logger, lines } = memoryLogger();
    const rec = recorder();
    running.push(await startConsumer(fx.nc, "metricsAnalyzer", rec.handler, { logger, registry }));
    const pub = createPublisher(fx.nc, { source: "test" });
    await pub.publish(Command.analysisStop, { data: { reason: "done" }, releaseId: "shop/cart/v2" });
    await waitFor(() => rec.seen.length === 1, { timeoutMs: 5000, what: "the handler to run" });
    expect(rec.seen[0]?.msg.type).toBe(Command.analysisStop);
    expect(rec.seen[0]?.msg.data).toEqual({ reason: "done" });
    expect(rec.seen[0]?.ctx).toMatchObject({ subject: Command.analysisStop, deliveryCount: 1 });
    await waitFor(async () => (await consumerState("metricsAnalyzer")).num_ack_pending === 0, { timeoutMs: 5000, what: "the ack" });
    expect((await fx.jsm.streams.info(Stream.commands.name)).state.messages).toBe(0); // work queue: acked = removed
    const metrics = await registry.getSingleMetricAsString("siskin_messages_acked_total");
    expect(metrics).toContain('consumer="metricsAnalyzer",subject="cmd.analysis.stop"} 1');
    expect(lines().some((l) => l.msg === "handled" && l.releaseId === "shop/cart/v2" && l.consumer === "metricsAnalyzer")).toBe(true);
  });

  it("dead-letters a message that fails validation, with reason headers and the payload unchanged, and never redelivers it", async () => {
    const registry = new Registry();
    const rec = recorder();
    running.push(await startConsumer(fx.nc, "metricsAnalyzer", rec.handler, { logger: memoryLogger().logger, registry }));
    const bad = envelope(Command.analysisStop, { reason: 42 }, "bad-1");
    await publishRaw(fx.nc, Command.analysisStop, bad, { "Nats-Msg-Id": "bad-1", "X-Trace": "abc" });

    const [dl] = await deadLetters(fx.nc, 1);
    expect(dl?.subject).toBe(deadLetterSubject("metricsAnalyzer"));
    expect(Buffer.from(dl?.data ?? []).toString("utf8")).toBe(bad);
    expect(dl?.headers?.get(Header.deadCode)).toBe("SISKIN_ERR_INVALID_MESSAGE");
    expect(dl?.headers?.get(Header.deadReason)).toMatch(/payload on "cmd.analysis.stop" is invalid: \/reason/);
    expect(dl?.headers?.get(Header.deadSubject)).toBe(Command.analysisStop);
    expect(dl?.headers?.get(Header.deadConsumer)).toBe("metricsAnalyzer");
    expect(dl?.headers?.get(Header.deadMsgId)).toBe("bad-1");
    expect(dl?.headers?.get("X-Trace")).toBe("abc");

    // Nothing pending or unacked: the server has nothing left to redeliver.
    await waitFor(async () => {
      const st = await consumerState("metricsAnalyzer");
      return st.num_ack_pending === 0 && st.num_pending === 0;
    }, { timeoutMs: 5000, what: "the bad message to be terminated" });
    // The next good message is the only one the handler ever sees.
    await createPublisher(fx.nc, { source: "test" }).publish(Command.analysisStop, { data: { reason: "ok" } });
    await waitFor(() => rec.seen.length === 1, { timeoutMs: 5000, what: "the good message" });
    expect(rec.seen.map((s) => s.msg.data)).toEqual([{ reason: "ok" }]);
    expect((await consumerState("metricsAnalyzer")).num_redelivered).toBe(0);
    expect(await registry.getSingleMetricAsString("siskin_messages_dead_lettered_total")).toContain(
      'code="SISKIN_ERR_INVALID_MESSAGE"} 1',
    );
  });

  it("dead-letters an undecodable (non-JSON) message with its bytes intact", async () => {
    const rec = recorder();
    running.push(await startConsumer(fx.nc, "metricsAnalyzer", rec.handler, { logger: memoryLogger().logger, registry: new Registry() }));
    const bytes = Uint8Array.from([0xff, 0x00, 0x7b, 0x6e, 0x6f, 0x74]);
    await publishRaw(fx.nc, Command.analysisStart, bytes);
    const [dl] = await deadLetters(fx.nc, 1);
    expect(Uint8Array.from(dl?.data ?? [])).toEqual(bytes);
    expect(dl?.headers?.get(Header.deadReason)).toMatch(/is not JSON/);
    expect(dl?.headers?.get(Header.deadCode)).toBe("SISKIN_ERR_INVALID_MESSAGE");
    await waitFor(async () => (await consumerState("metricsAnalyzer")).num_ack_pending === 0, { timeoutMs: 5000, what: "term" });
    expect(rec.seen).toHaveLength(0);
  });

  it("retries a retryable failure after the backoff, then dead-letters after maxDeliver", async () => {
    const rec = recorder(() => new SiskinError("SISKIN_ERR_UNAVAILABLE", "prometheus is down"));
    running.push(
      await startConsumer(fx.nc, "vmProvisioner", rec.handler, { logger: memoryLogger().logger, backoffMs: [50, 100], maxDeliver: 3, registry: new Registry() }),
    );
    await createPublisher(fx.nc, { source: "test" }).publish(Command.vmStop, {
      data: { rollout: { namespace: "shop", name: "cart" }, version: "v1", delete: false, reason: "promoted" },
    });
    const [dl] = await deadLetters(fx.nc, 1);
    expect(rec.seen.map((s) => s.ctx.deliveryCount)).toEqual([1, 2, 3]);
    const gap1 = (rec.seen[1]?.at ?? 0) - (rec.seen[0]?.at ?? 0);
    const gap2 = (rec.seen[2]?.at ?? 0) - (rec.seen[1]?.at ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(45);
    expect(gap2).toBeGreaterThanOrEqual(95);
    expect(dl?.headers?.get(Header.deadCode)).toBe("SISKIN_ERR_UNAVAILABLE");
    expect(dl?.headers?.get(Header.deadReason)).toBe("prometheus is down (gave up after 3 deliveries)");
    await waitFor(async () => (await consumerState("vmProvisioner")).num_ack_pending === 0, { timeoutMs: 5000, what: "term" });
  });

  it("acks on the retry that succeeds", async () => {
    const rec = recorder((s) => (s.ctx.deliveryCount === 1 ? new Error("socket hang up") : undefined));
    running.push(await startConsumer(fx.nc, "approvalGateway", rec.handler, { logger: memoryLogger().logger, backoffMs: [20], registry: new Registry() }));
    await createPublisher(fx.nc, { source: "test" }).publish(Command.approvalCancel, { data: { requestId: "r1", reason: "moved on" } });
    await waitFor(() => rec.seen.length === 2, { timeoutMs: 5000, what: "the redelivery" });
    await waitFor(async () => (await fx.jsm.streams.info(Stream.commands.name)).state.messages === 0, { timeoutMs: 5000, what: "the ack" });
    expect((await fx.jsm.streams.info(Stream.deadLetters.name)).state.messages).toBe(0);
  });

  it("dead-letters a non-retryable handler error on the first delivery", async () => {
    const rec = recorder(() => new SiskinError("SISKIN_ERR_NOT_FOUND", "VirtualService shop/cart does not exist"));
    running.push(await startConsumer(fx.nc, "approvalGateway", rec.handler, { logger: memoryLogger().logger, registry: new Registry() }));
    await createPublisher(fx.nc, { source: "test" }).publish(Command.approvalCancel, { data: { requestId: "r2", reason: "x" } });
    const [dl] = await deadLetters(fx.nc, 1);
    expect(rec.seen).toHaveLength(1);
    expect(dl?.headers?.get(Header.deadCode)).toBe("SISKIN_ERR_NOT_FOUND");
  });

  it("on a limits stream, skips (acks) subjects the 2.9 wildcard filter let through; on the work queue, dead-letters them", async () => {
    const rec = recorder();
    const registry = new Registry();
    running.push(await startConsumer(fx.nc, "orchestrator", rec.handler, { logger: memoryLogger().logger, registry }));
    running.push(await startConsumer(fx.nc, "metricsAnalyzer", rec.handler, { logger: memoryLogger().logger, registry }));
    const pub = createPublisher(fx.nc, { source: "test" });
    await pub.publish(Event.releaseProgressed, { data: { from: "a", to: "b", event: "tick", reason: "x", weight: 10, seq: 1 } });
    await pub.publish(Event.vmProvisioned, { data: { vm: { namespace: "shop", name: "cart-v2" }, version: "v2", created: true } });
    await publishRaw(fx.nc, "cmd.analysis.bogus", envelope("cmd.analysis.bogus", {}));
    await waitFor(() => rec.seen.some((s) => s.msg.type === Event.vmProvisioned), { timeoutMs: 5000, what: "vm.provisioned" });
    const [dl] = await deadLetters(fx.nc, 1);
    expect(dl?.headers?.get(Header.deadCode)).toBe("SISKIN_ERR_UNKNOWN_SUBJECT");
    expect(dl?.headers?.get(Header.deadSubject)).toBe("cmd.analysis.bogus");
    await waitFor(async () => (await consumerState("orchestrator")).num_ack_pending === 0 && (await consumerState("orchestrator")).num_pending === 0, {
      timeoutMs: 5000,
      what: "the orchestrator to ack everything",
    });
    expect(rec.seen.map((s) => s.msg.type)).toEqual([Event.vmProvisioned]);
  });

  it("two consumers refusing one event both reach the dead-letter stream", async () => {
    const rec = recorder();
    running.push(await startConsumer(fx.nc, "orchestrator", rec.handler, { logger: memoryLogger().logger, registry: new Registry() }));
    running.push(await startConsumer(fx.nc, "notifierEvents", rec.handler, { logger: memoryLogger().logger, registry: new Registry() }));
    await publishRaw(fx.nc, Event.approvalGranted, envelope(Event.approvalGranted, { nope: true }, "evt-1"), { "Nats-Msg-Id": "evt-1" });
    const dls = await deadLetters(fx.nc, 2);
    expect(dls.map((d) => d.subject).sort()).toEqual([deadLetterSubject("notifierEvents"), deadLetterSubject("orchestrator")]);
    expect(dls.every((d) => d.headers?.get(Header.deadMsgId) === "evt-1")).toBe(true);
  });

  it("stop() waits for the handler in flight and hands back what was pulled, without waiting out ack_wait", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rec = recorder();
    const c = await startConsumer(
      fx.nc,
      "notifierCommands",
      async (msg, ctx) => {
        await rec.handler(msg, ctx);
        if (rec.seen.length === 1) await gate;
      },
      { logger: memoryLogger().logger, registry: new Registry() },
    );
    const pub = createPublisher(fx.nc, { source: "test" });
    for (const text of ["m1", "m2", "m3"]) await pub.publish(Command.notifySend, { data: { severity: "info", text } });
    await waitFor(() => rec.seen.length === 1, { timeoutMs: 5000, what: "the first delivery" });
    // Stop once m2 and m3 are in the client's buffer: a message still on the wire when the pull
    // subscription closes is dropped by the client and only returns after ack_wait (a protocol race).
    const jsm = await jetstreamManager(fx.nc);
    await waitFor(async () => (await jsm.consumers.info(Consumer.notifierCommands.stream, "notifierCommands")).num_ack_pending === 3, {
      timeoutMs: 5000,
      what: "m2 and m3 to reach the client",
    });
    const stopped = c.stop();
    release();
    await stopped;
    expect(c.running()).toBe(false);
    expect(rec.seen).toHaveLength(1);

    const rec2 = recorder();
    running.push(await startConsumer(fx.nc, "notifierCommands", rec2.handler, { logger: memoryLogger().logger, registry: new Registry() }));
    await waitFor(() => rec2.seen.length === 2, { timeoutMs: 5000, what: "m2 and m3 to come back at once" });
    expect(rec2.seen.map((s) => (s.msg.data as { text: string }).text).sort()).toEqual(["m2", "m3"]);
  });

  it("an aborted signal stops the loop", async () => {
    const ac = new AbortController();
    const c = await startConsumer(fx.nc, "statusWriter", recorder().handler, { logger: memoryLogger().logger, signal: ac.signal, registry: new Registry() });
    expect(c.running()).toBe(true);
    ac.abort();
    expect(c.running()).toBe(false);
    await c.stop();
  });
});
