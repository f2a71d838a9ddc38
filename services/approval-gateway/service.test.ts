import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../schemas/approval.js";
import { ActionId } from "./blocks.js";
import { fakeChat, fakeDirectory, fakeKv, fakePublisher, request } from "./fakes.test-util.js";
import { approvalKey, threadKey, type ApprovalRecord } from "./policy.js";
import { createService } from "./service.js";

const releaseId = "shop/ratings/v2.3.0";

function setup(opts: { thread?: boolean } = {}) {
  let now = 1_700_000_000_000;
  const kv = fakeKv();
  const chat = fakeChat();
  const publisher = fakePublisher();
  const directory = fakeDirectory({ SONCALL: ["UBOB"] });
  const errors: string[] = [];
  const service = createService({ kv, chat, publisher, directory, clock: () => now, defaultChannel: "CDEFAULT", onError: (_e, what) => errors.push(what) });
  if (opts.thread !== false) void kv.create(threadKey(releaseId), { channel: "CREL", ts: "1699999999.000100", state: "step.shifting", weight: 50 });
  const req = (over: Partial<ApprovalRequest> = {}) => service.request({ id: "cmd-1", releaseId, data: request(over) });
  const rec = async () => (await kv.get(approvalKey(releaseId, "1-0")))?.value as ApprovalRecord;
  return { kv, chat, publisher, directory, service, errors, req, rec, advance: (ms: number) => (now += ms), now: () => now };
}

const click = (user: string, decision: "approve" | "reject" = "approve") => ({ releaseId, requestId: "1-0", decision, user: { id: user, name: user.toLowerCase() } });

describe("request", () => {
  it("posts into the release thread, records the request and publishes evt.approval.requested", async () => {
    const t = setup();
    await t.req();
    expect(t.chat.messages).toHaveLength(1);
    expect(t.chat.messages[0]).toMatchObject({ channel: "CREL", threadTs: "1699999999.000100" });
    expect(JSON.stringify(t.chat.messages[0]!.blocks)).toContain(ActionId.approve);
    expect(await t.rec()).toMatchObject({ status: "open", channel: "CREL", ts: t.chat.messages[0]!.ts, threadTs: "1699999999.000100" });
    expect(t.publisher.sent).toEqual([
      {
        subject: "evt.approval.requested",
        msg: { id: `approval-requested:${releaseId}:1-0`, releaseId, causationId: "cmd-1", data: { requestId: "1-0", channel: "CREL", ts: t.chat.messages[0]!.ts } },
      },
    ]);
  });

  it("posts to the channel when there is no thread, and to the request's channel when named", async () => {
    const t = setup({ thread: false });
    await t.req();
    expect(t.chat.messages[0]).toMatchObject({ channel: "CDEFAULT" });
    expect(t.chat.messages[0]!.threadTs).toBeUndefined();
    const u = setup();
    await u.req({ channel: "COTHER" });
    expect(u.chat.messages[0]!.threadTs).toBeUndefined();
    expect(u.chat.messages[0]!.channel).toBe("COTHER");
  });

  it("does not post twice on redelivery", async () => {
    const t = setup();
    await t.req();
    await t.req();
    expect(t.chat.messages).toHaveLength(1);
    expect(t.publisher.sent).toHaveLength(1);
  });

  it("refuses a request without releaseId as non-retryable", async () => {
    const t = setup();
    await expect(t.service.request({ id: "x", data: request() })).rejects.toMatchObject({ code: "SISKIN_ERR_INVALID_MESSAGE", retryable: false });
  });
});

describe("decide", () => {
  it("lets a listed user approve once: event, message updated without buttons", async () => {
    const t = setup();
    await t.req();
    t.advance(60_000);
    expect(await t.service.decide(click("UALICE"))).toEqual({ kind: "decided", status: "granted" });
    const granted = t.publisher.sent.filter((s) => s.subject === "evt.approval.granted");
    expect(granted).toEqual([
      { subject: "evt.approval.granted", msg: { id: `approval:${releaseId}:1-0`, releaseId, data: { requestId: "1-0", actor: { kind: "slack", id: "UALICE", name: "ualice" }, via: "user", at: t.now() } } },
    ]);
    const msg = t.chat.messages[0]!;
    expect(msg.edits).toBe(1);
    expect(JSON.stringify(msg.blocks)).not.toContain(ActionId.approve);
    expect(JSON.stringify(msg.blocks)).toContain("Approved* by <@UALICE>");
    expect(await t.rec()).toMatchObject({ status: "granted", published: true, messageUpdated: true });
    expect(await t.service.decide(click("UBOB", "reject"))).toEqual({
      kind: "closed",
      text: "This request is no longer valid: release shop/ratings/v2.3.0 is step.shifting at 50 %; the request was granted by <@UALICE>.",
    });
    expect(t.publisher.sent.filter((s) => s.subject !== "evt.approval.requested")).toHaveLength(1);
  });

  it("lets a group member reject, and refuses anyone else without publishing", async () => {
    const t = setup();
    await t.req();
    const refused = await t.service.decide(click("UEVE"));
    expect(refused).toEqual({ kind: "refused", text: "You cannot decide this request: you are not an approver; ask <@UALICE>, <!subteam^SONCALL>." });
    expect(t.directory.lookups).toBe(1);
    expect(t.publisher.sent).toHaveLength(1);
    expect((await t.rec()).status).toBe("open");
    expect(t.chat.messages[0]!.edits).toBe(0);
    expect(await t.service.decide(click("UBOB", "reject"))).toEqual({ kind: "decided", status: "denied" });
    expect(t.publisher.sent.at(-1)).toMatchObject({ subject: "evt.approval.denied", msg: { data: { actor: { id: "UBOB" } } } });
  });

  it("decides once when two approvers click at the same time", async () => {
    const t = setup();
    await t.req();
    const results = await Promise.all([t.service.decide(click("UALICE", "approve")), t.service.decide(click("UBOB", "reject"))]);
    expect(results.filter((r) => r.kind === "decided")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "closed")).toHaveLength(1);
    expect(t.publisher.sent.filter((s) => s.subject === "evt.approval.granted" || s.subject === "evt.approval.denied")).toHaveLength(1);
  });

  it("a stale button (request withdrawn, release finished, or never known) says the request is no longer valid and where the release is", async () => {
    const t = setup();
    await t.req();
    await t.service.cancel({ id: "cmd-2", releaseId, data: { requestId: "1-0", reason: "rolling back: alert SiskinCanaryHighErrorRate firing" } });
    const e = await t.kv.get(threadKey(releaseId));
    await t.kv.update(threadKey(releaseId), { ...(e!.value as object), state: "rolledBack", outcome: "rolledBack", weight: 0 }, e!.revision);
    expect(await t.service.decide(click("UALICE"))).toEqual({
      kind: "closed",
      text: "This request is no longer valid: release shop/ratings/v2.3.0 is rolledBack; the request was cancelled (rolling back: alert SiskinCanaryHighErrorRate firing).",
    });
    expect(await t.service.decide({ ...click("UALICE"), releaseId: "shop/ratings/v0.0.1" })).toEqual({
      kind: "unknown",
      text: "This request is no longer valid: release shop/ratings/v0.0.1 is not known to Siskin.",
    });
    expect(t.publisher.sent.filter((x) => x.subject !== "evt.approval.requested")).toEqual([]);
  });

  it("answers unknown requests and bad group lookups without deciding", async () => {
    const t = setup();
    expect((await t.service.decide(click("UALICE"))).kind).toBe("unknown");
    await t.req();
    t.directory.groupMembers = async () => {
      throw new Error("slack down");
    };
    expect(await t.service.decide(click("UBOB"))).toMatchObject({ kind: "refused", text: /could not check your user groups/ });
    expect(t.errors).toEqual(["checking approver UBOB"]);
  });
});

describe("expiry, cancel and recovery", () => {
  it("expires a request on the tick after its deadline, with the rollout's policy", async () => {
    const t = setup();
    await t.req({ onTimeout: "approve" });
    expect(await t.service.tick(1_700_003_599_999)).toEqual({ expired: 0, finished: 0 });
    expect(await t.service.tick(1_700_003_600_000)).toEqual({ expired: 1, finished: 0 });
    expect(t.publisher.sent.at(-1)).toEqual({ subject: "evt.approval.expired", msg: { id: `approval:${releaseId}:1-0`, releaseId, data: { requestId: "1-0", policy: "approve" } } });
    expect(JSON.stringify(t.chat.messages[0]!.blocks)).toContain("approved by policy");
    expect(await t.service.tick(1_700_009_000_000)).toEqual({ expired: 0, finished: 0 });
    expect(await t.service.decide(click("UALICE"))).toMatchObject({ kind: "closed", text: "This request is no longer valid: release shop/ratings/v2.3.0 is step.shifting at 50 %; the request was expired." });
  });

  it("treats a click after the deadline as expiry", async () => {
    const t = setup();
    await t.req();
    t.advance(3_600_000);
    expect(await t.service.decide(click("UALICE"))).toEqual({ kind: "closed", text: "This request is no longer valid: release shop/ratings/v2.3.0 is step.shifting at 50 %; the request was expired." });
    expect(t.publisher.sent.at(-1)).toMatchObject({ subject: "evt.approval.expired", msg: { data: { policy: "reject" } } });
  });

  it("withdraws on cancel, and a cancel that arrives first stops the request", async () => {
    const t = setup();
    await t.req();
    await t.service.cancel({ id: "c1", releaseId, data: { requestId: "1-0", reason: "release rolled back" } });
    expect(JSON.stringify(t.chat.messages[0]!.blocks)).toContain("Withdrawn");
    expect((await t.service.decide(click("UALICE"))).kind).toBe("closed");
    expect(t.publisher.sent).toHaveLength(1);

    const u = setup();
    await u.service.cancel({ id: "c1", releaseId, data: { requestId: "1-0", reason: "superseded" } });
    await u.req();
    expect(u.chat.messages).toHaveLength(0);
    expect(await u.service.tick(1_800_000_000_000)).toEqual({ expired: 0, finished: 0 });
  });

  it("publishes a decision on the next tick when NATS failed during the click", async () => {
    const t = setup();
    await t.req();
    t.publisher.failNext = 1;
    await expect(t.service.decide(click("UALICE"))).rejects.toThrow(/nats: timeout/);
    expect(await t.rec()).toMatchObject({ status: "granted", published: false });
    expect(await t.service.tick(t.now())).toEqual({ expired: 0, finished: 1 });
    expect(t.publisher.sent.at(-1)).toMatchObject({ subject: "evt.approval.granted" });
    expect(await t.rec()).toMatchObject({ published: true, messageUpdated: true });
  });
});
