import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { Header } from "../../schemas/subjects.js";
import { deadLetterHeaders, deadLetterMsgId, headerSafe } from "./dead-letter.js";

describe("deadLetterHeaders", () => {
  it("keeps the original headers but the publish controls, and adds why, where and who", () => {
    const h = headers();
    h.set("Nats-Msg-Id", "orig-1");
    h.set("Nats-Expected-Last-Subject-Sequence", "4");
    h.set("X-Trace", "abc");
    h.append("X-Multi", "1");
    h.append("X-Multi", "2");
    const out = deadLetterHeaders(h, "cmd.vm.stop", "vmProvisioner", { code: "SISKIN_ERR_INVALID_MESSAGE", reason: "bad\r\nthing" });
    expect(out.get("X-Trace")).toBe("abc");
    expect(out.values("X-Multi")).toEqual(["1", "2"]);
    expect(out.has("Nats-Msg-Id")).toBe(false);
    expect(out.has("Nats-Expected-Last-Subject-Sequence")).toBe(false);
    expect(out.get(Header.deadMsgId)).toBe("orig-1");
    expect(out.get(Header.deadReason)).toBe("bad thing");
    expect(out.get(Header.deadSubject)).toBe("cmd.vm.stop");
    expect(out.get(Header.deadCode)).toBe("SISKIN_ERR_INVALID_MESSAGE");
    expect(out.get(Header.deadConsumer)).toBe("vmProvisioner");
  });

  it("works without original headers and cuts long reasons", () => {
    const out = deadLetterHeaders(undefined, "s", "trafficRouter", { code: "C", reason: "x".repeat(5000) });
    expect(out.has(Header.deadMsgId)).toBe(false);
    expect(out.get(Header.deadReason)).toHaveLength(1024);
    expect(headerSafe(" a\nb ")).toBe("a b");
  });

  it("gives each consumer's refusal of a stream message its own msgID", () => {
    const m = { seq: 7, info: { stream: "EVENTS" } } as never;
    expect(deadLetterMsgId("orchestrator", m)).toBe("orchestrator:EVENTS:7");
    expect(deadLetterMsgId("notifierEvents", m)).not.toBe(deadLetterMsgId("orchestrator", m));
  });
});
