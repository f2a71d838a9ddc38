import { describe, expect, it } from "vitest";
import { request } from "./fakes.test-util.js";
import { ActionId, renderApproval, slackDate } from "./blocks.js";
import {
  approvalKey,
  decodeButtonValue,
  encodeButtonValue,
  expiryPolicy,
  isExpired,
  pendingWork,
  threadKey,
  type ApprovalRecord,
} from "./policy.js";

function record(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return { releaseId: "shop/ratings/v2.3.0", requestId: "1-0", request: request(), channel: "C1", ts: "1.1", status: "open", published: false, messageUpdated: false, ...over };
}

describe("expiry policy", () => {
  it.each([
    ["open, before the deadline", record(), 1_700_003_599_999, false],
    ["open, at the deadline", record(), 1_700_003_600_000, true],
    ["granted, after the deadline", record({ status: "granted" }), 1_800_000_000_000, false],
  ])("%s → expired %s", (_n, r, now, expected) => {
    expect(isExpired(r, now)).toBe(expected);
  });
  it("follows onTimeout", () => {
    expect(expiryPolicy(record())).toBe("reject");
    expect(expiryPolicy(record({ request: request({ onTimeout: "approve" }) }))).toBe("approve");
  });
  it.each([
    [record(), { publish: false, message: false }],
    [record({ status: "granted" }), { publish: true, message: true }],
    [record({ status: "granted", published: true, messageUpdated: true }), { publish: false, message: false }],
    [record({ status: "cancelled" }), { publish: false, message: true }],
    [record({ status: "expired", ts: undefined as unknown as string }), { publish: true, message: false }],
  ])("pending work %#", (r, expected) => {
    if (r.ts === undefined) delete r.ts;
    expect(pendingWork(r)).toEqual(expected);
  });
});

describe("keys and button values", () => {
  it("makes KV-safe keys", () => {
    const key = approvalKey("shop/ratings/v2.3.0+build.1", "step 2/1");
    expect(key).toMatch(/^[-/_=.a-zA-Z0-9]+$/);
    expect(key.split(".")).toHaveLength(3);
    expect(threadKey("shop/ratings/v2.3.0")).toBe("thread.shop=2fratings=2fv2=2e3=2e0");
  });
  it("round-trips button values and rejects foreign ones", () => {
    const v = { releaseId: "shop/ratings/v2.3.0", requestId: "1-0" };
    expect(decodeButtonValue(encodeButtonValue(v))).toEqual(v);
    expect(decodeButtonValue("clicked")).toBeUndefined();
    expect(decodeButtonValue('{"r":1}')).toBeUndefined();
    expect(decodeButtonValue(undefined)).toBeUndefined();
  });
});

describe("renderApproval", () => {
  const find = (blocks: Array<Record<string, any>>, type: string): Array<Record<string, any>> => blocks.filter((b) => b.type === type);

  it("shows step, weights, verdicts with numbers, approvers, deadline, dashboard and two buttons", () => {
    const m = renderApproval(record({ request: request({ dashboardUrl: "https://grafana.example/d/siskin" }) }));
    const json = JSON.stringify(m.blocks);
    expect(m.text).toBe("Approval needed: shop/ratings v2.3.0: step 2, 10% → 50%");
    expect(json).toContain("10% → 50%");
    expect(json).toContain("*error-rate* pass: 0.20% ≤ 1% (stable 0.10%)");
    expect(json).toContain(":grey_question: *latency-p99* inconclusive: 12 requests < 20");
    expect(json).toContain("<@UALICE>, <!subteam^SONCALL>");
    expect(json).toContain("<https://grafana.example/d/siskin|Dashboard>");
    expect(json).toContain(slackDate(1_700_003_600_000));
    const actions = find(m.blocks, "actions")[0]!;
    expect(actions.elements.map((e: { action_id: string; style: string }) => [e.action_id, e.style])).toEqual([
      [ActionId.approve, "primary"],
      [ActionId.reject, "danger"],
    ]);
    expect(actions.elements[0].confirm).toBeUndefined();
    expect(decodeButtonValue(actions.elements[0].value)).toEqual({ releaseId: "shop/ratings/v2.3.0", requestId: "1-0" });
    expect(actions.elements.every((e: { text: { text: string } }) => e.text.text.length <= 75)).toBe(true);
  });

  it("asks for confirmation before approving 100 %", () => {
    const m = renderApproval(record({ request: request({ fromWeight: 50, toWeight: 100 }) }));
    const actions = find(m.blocks, "actions")[0]!;
    expect(actions.elements[0].confirm).toMatchObject({ title: { text: "Send all traffic?" }, confirm: { text: "Approve" }, deny: { text: "Cancel" } });
    expect(actions.elements[1].confirm).toBeUndefined();
  });

  it.each([
    [{ status: "granted", decidedBy: { kind: "slack", id: "UALICE", name: "alice" }, closedAt: 1_700_000_100_000 }, /Approved\* by <@UALICE> at <!date\^1700000100/],
    [{ status: "denied", decidedBy: { kind: "slack", id: "UBOB" }, closedAt: 1_700_000_100_000 }, /Rejected\* by <@UBOB>/],
    [{ status: "expired", closedAt: 1_700_003_600_000 }, /Expired\*.*rejected by policy/],
    [{ status: "cancelled", reason: "release rolled back", closedAt: 1 }, /Withdrawn\*.*: release rolled back/],
  ] as const)("closed %# has no buttons and says what happened", (patch, line) => {
    const m = renderApproval(record(patch as Partial<ApprovalRecord>));
    expect(find(m.blocks, "actions")).toHaveLength(0);
    expect(JSON.stringify(m.blocks)).toMatch(line);
    expect(m.text).not.toContain("<!date");
  });
});
