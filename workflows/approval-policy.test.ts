import { describe, expect, it } from "vitest";
import { checkApprover, checkDecision } from "./approval-policy.js";

describe("checkApprover", () => {
  const groups = new Map([["SONCALL", ["UBOB"]]]);
  it.each([
    ["a listed user", "UALICE", { users: ["UALICE"], groups: [] }, groups, { allowed: true, via: "user" }],
    ["a member of a listed group", "UBOB", { users: ["UALICE"], groups: ["SONCALL"] }, groups, { allowed: true, via: "group:SONCALL" }],
    ["a member of an unlisted group", "UBOB", { users: ["UALICE"], groups: [] }, groups, { allowed: false }],
    ["someone else", "UEVE", { users: ["UALICE"], groups: ["SONCALL"] }, groups, { allowed: false }],
    ["a group not looked up yet", "UBOB", { users: [], groups: ["SONCALL"] }, new Map<string, string[]>(), { allowed: false }],
    ["anyone when nobody is listed", "UALICE", { users: [], groups: [] }, groups, { allowed: false }],
  ])("%s", (_name, user, approvers, members, expected) => {
    expect(checkApprover(user, approvers, members)).toMatchObject(expected);
  });

  it("tells a refused user whom to ask", () => {
    expect(checkApprover("UEVE", { users: ["UALICE"], groups: ["SONCALL"] }, new Map())).toEqual({
      allowed: false,
      reason: "you are not an approver; ask <@UALICE>, <!subteam^SONCALL>",
    });
    expect(checkApprover("U1", { users: [], groups: [] }, new Map())).toMatchObject({ reason: /no approvers are configured/ });
  });
});

describe("checkDecision (the workflow's guard)", () => {
  const approvers = { users: ["UALICE"], groups: ["SONCALL"] };
  it.each([
    ["a listed Slack user", { kind: "slack" as const, id: "UALICE" }, undefined, true],
    ["a Slack user the gateway found in a listed group", { kind: "slack" as const, id: "UBOB" }, "group:SONCALL", true],
    ["a Slack user claimed in an unlisted group", { kind: "slack" as const, id: "UBOB" }, "group:SOTHER", false],
    ["an unlisted Slack user", { kind: "slack" as const, id: "UEVE" }, undefined, false],
    ["an unlisted Slack user claiming 'user'", { kind: "slack" as const, id: "UEVE" }, "user", false],
    ["a listed id from another channel", { kind: "cli" as const, id: "UALICE" }, undefined, false],
    ["the system", { kind: "system" as const, id: "approval-gateway" }, undefined, false],
  ])("%s", (_name, actor, via, allowed) => {
    expect(checkDecision(actor, approvers, via).allowed).toBe(allowed);
  });
  it("refuses everyone when nobody is listed", () => {
    expect(checkDecision({ kind: "slack", id: "UALICE" }, { users: [], groups: [] }, "user")).toMatchObject({ allowed: false, reason: /no approvers/ });
  });
});
