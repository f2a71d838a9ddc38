import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidMessageError, decode } from "../../schemas/codec.js";
import { Bucket, Command, Event, Stream } from "../../schemas/subjects.js";
import { createPublisher, openKv, RevisionConflictError } from "../../services/runtime/index.js";
import { natsFixture, type NatsFixture } from "./runtime.test-util.js";

let fx: NatsFixture;
beforeAll(async () => {
  fx = await natsFixture();
});
afterAll(async () => {
  await fx?.stop();
});

describe("createPublisher", () => {
  it("builds the envelope, uses its id as msgID, and the server drops a duplicate", async () => {
    const pub = createPublisher(fx.nc, { source: "test", now: () => new Date("2026-03-01T10:00:00Z"), newId: () => "fixed-id" });
    const data = { vm: { namespace: "shop", name: "cart-v2" }, version: "v2", created: true };
    const first = await pub.publish(Event.vmProvisioned, { data, releaseId: "shop/cart/v2", causationId: "cmd-1" });
    const again = await pub.publish(Event.vmProvisioned, { data, releaseId: "shop/cart/v2", causationId: "cmd-1" });
    expect(first).toMatchObject({ id: "fixed-id", duplicate: false });
    expect(again).toEqual({ id: "fixed-id", seq: first.seq, duplicate: true });
    const info = await fx.jsm.streams.info(Stream.events.name, { subjects_filter: Event.vmProvisioned });
    expect(info.state.messages).toBe(1);

    const stored = await fx.jsm.streams.getMessage(Stream.events.name, { seq: first.seq });
    expect(stored?.header.get("Nats-Msg-Id")).toBe("fixed-id");
    const msg = decode(Event.vmProvisioned, stored?.data ?? new Uint8Array());
    expect(msg).toEqual({
      id: "fixed-id",
      type: Event.vmProvisioned,
      v: 1,
      occurredAt: "2026-03-01T10:00:00.000Z",
      releaseId: "shop/cart/v2",
      causationId: "cmd-1",
      data,
    });
  });

  it("an explicit id wins and distinct ids are distinct messages", async () => {
    const pub = createPublisher(fx.nc, { source: "test" });
    const a = await pub.publish(Command.approvalCancel, { data: { requestId: "r", reason: "x" }, id: "shop/cart/v2:1" });
    const b = await pub.publish(Command.approvalCancel, { data: { requestId: "r", reason: "x" }, id: "shop/cart/v2:2" });
    const c = await pub.publish(Command.approvalCancel, { data: { requestId: "r", reason: "x" } });
    expect([a.duplicate, b.duplicate, c.duplicate]).toEqual([false, false, false]);
    expect(c.id).toMatch(/^test-[0-9a-f-]{36}$/);
  });

  it("refuses an invalid payload before sending anything", async () => {
    const pub = createPublisher(fx.nc, { source: "test" });
    const before = (await fx.jsm.streams.info(Stream.commands.name)).state.last_seq;
    await expect(pub.publish(Command.analysisStop, { data: { reason: 5 } as never })).rejects.toBeInstanceOf(InvalidMessageError);
    expect((await fx.jsm.streams.info(Stream.commands.name)).state.last_seq).toBe(before);
  });

  it("names the subject, id and source when no stream takes the message", async () => {
    const bare = await natsFixture({ provision: false });
    try {
      const pub = createPublisher(bare.nc, { source: "trigger", newId: () => "id-9" });
      const err = await pub.publish(Command.analysisStop, { data: { reason: "x" } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "SISKIN_ERR_UNAVAILABLE", retryable: true });
      expect((err as Error).message).toMatch(/^trigger: publish of cmd.analysis.stop \(id id-9\) to JetStream failed/);
    } finally {
      await bare.stop();
    }
  });
});

describe("openKv", () => {
  it("creates, reads, updates with the revision, and refuses a stale revision", async () => {
    const kv = await openKv(fx.nc, Bucket.releases);
    const r1 = await kv.create("shop_cart_v2", { step: 0 });
    expect(await kv.get("shop_cart_v2")).toEqual({ value: { step: 0 }, revision: r1 });
    const r2 = await kv.update("shop_cart_v2", { step: 1 }, r1);
    expect(r2).toBeGreaterThan(r1);

    const stale = kv.update("shop_cart_v2", { step: 2 }, r1);
    await expect(stale).rejects.toBeInstanceOf(RevisionConflictError);
    const err = (await stale.catch((e: unknown) => e)) as RevisionConflictError;
    expect(err.code).toBe("SISKIN_ERR_CONFLICT");
    expect(err.retryable).toBe(true);
    expect(err.key).toBe("shop_cart_v2");
    expect(err.expectedRevision).toBe(r1);
    expect(err.currentRevision).toBe(r2);
    expect(err.message).toContain(`"shop_cart_v2" expected revision ${r1}, but it is at revision ${r2}`);

    await expect(kv.create("shop_cart_v2", {})).rejects.toThrow(/already exists/);
    expect((await kv.get("shop_cart_v2"))?.value).toEqual({ step: 1 });
  });

  it("put, keys, delete", async () => {
    const kv = await openKv(fx.nc, Bucket.rollouts);
    await kv.put("shop.cart", { live: "v2" });
    await kv.put("shop.web", { live: "v1" });
    expect((await kv.keys()).sort()).toEqual(["shop.cart", "shop.web"]);
    await kv.delete("shop.web");
    expect(await kv.get("shop.web")).toBeNull();
    expect(await kv.get("never")).toBeNull();
    expect(await kv.keys()).toEqual(["shop.cart"]);
    // A deleted key can be created again.
    expect(await kv.create("shop.web", { live: "v3" })).toBeGreaterThan(0);
  });

  it("names the fix when the bucket was not provisioned", async () => {
    const bare = await natsFixture({ provision: false });
    try {
      await expect(openKv(bare.nc, Bucket.threads)).rejects.toThrow(/siskin-threads does not exist; run provision/);
    } finally {
      await bare.stop();
    }
  });
});
