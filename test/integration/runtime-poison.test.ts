// Finding 7: a poison message near max_payload can still be dead-lettered (a truncated copy plus the
// stream sequence), and a dead letter that cannot be published at all is terminated on the last
// delivery and counted, never dropped without a trace.
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Command, Consumer, Header, Stream, deadLetterSubject } from "../../schemas/subjects.js";
import { startConsumer } from "../../services/runtime/index.js";
import { waitFor } from "../harness/index.js";
import { deadLetters, memoryLogger, natsFixture, publishRaw, type NatsFixture } from "./runtime.test-util.js";

let fx: NatsFixture;
beforeAll(async () => {
  fx = await natsFixture();
});
afterAll(async () => {
  await fx?.stop();
});

describe("poison messages near max_payload", () => {
  it("a 1 MiB undecodable command is dead-lettered as a truncated copy with its stream sequence, and terminated", async () => {
    const max = fx.nc.info?.max_payload ?? 1024 * 1024;
    expect(max).toBe(1024 * 1024);
    const poison = `{"junk":"${"x".repeat(max - 200)}"}`;
    const seq = await publishRaw(fx.nc, Command.analysisStop, poison, { "Nats-Msg-Id": "poison-1" });
    const registry = new Registry();
    const running = await startConsumer(fx.nc, "metricsAnalyzer", async () => undefined, { logger: memoryLogger().logger, registry, maxDeliver: 3, backoffMs: [10] });
    try {
      const [dl] = await deadLetters(fx.nc, 1);
      expect(dl?.subject).toBe(deadLetterSubject("metricsAnalyzer"));
      expect(dl?.headers?.get(Header.deadCode)).toBe("SISKIN_ERR_INVALID_MESSAGE");
      expect(dl?.headers?.get(Header.deadStreamSeq)).toBe(String(seq));
      expect(dl?.headers?.get(Header.deadTruncated)).toBe(String(Buffer.byteLength(poison)));
      const copy = Buffer.from(dl?.data ?? []).toString("utf8");
      expect(poison.startsWith(copy)).toBe(true);
      expect(copy.length).toBeLessThan(poison.length);
      await waitFor(async () => {
        const c = await fx.jsm.consumers.info(Consumer.metricsAnalyzer.stream, "metricsAnalyzer");
        return c.num_pending === 0 && c.num_ack_pending === 0 && c.num_redelivered === 0;
      }, { timeoutMs: 5_000, what: "the poison message to be terminated on its first delivery" });
      expect((await fx.jsm.streams.info(Stream.commands.name)).state.messages).toBe(0);
      expect(await registry.getSingleMetricAsString("siskin_messages_dead_lettered_total")).toContain('code="SISKIN_ERR_INVALID_MESSAGE"} 1');
    } finally {
      await running.stop();
    }
  });

  it("when even the dead letter cannot be published, the last delivery terminates the message and counts it", async () => {
    const other = await natsFixture();
    try {
      await other.jsm.streams.delete(Stream.deadLetters.name);
      const seq = await publishRaw(other.nc, Command.analysisStop, "not json", { "Nats-Msg-Id": "poison-2" });
      const registry = new Registry();
      const { logger, lines } = memoryLogger();
      const running = await startConsumer(other.nc, "metricsAnalyzer", async () => undefined, { logger, registry, maxDeliver: 2, backoffMs: [10] });
      try {
        await waitFor(async () => (await registry.getSingleMetricAsString("siskin_dead_letter_failed_total")).includes("} 1") || undefined, {
          timeoutMs: 10_000,
          what: "the lost dead letter to be counted",
        });
        await waitFor(async () => {
          const c = await other.jsm.consumers.info(Consumer.metricsAnalyzer.stream, "metricsAnalyzer");
          return c.num_pending === 0 && c.num_ack_pending === 0;
        }, { timeoutMs: 5_000, what: "the message to be terminated" });
        expect((await other.jsm.streams.info(Stream.commands.name)).state.messages).toBe(0);
        expect(lines().find((l) => l.msg === "dead letter could not be published on the last delivery; terminated")).toMatchObject({ stream: "COMMANDS", streamSeq: seq });
      } finally {
        await running.stop();
      }
    } finally {
      await other.stop();
    }
  });
});
