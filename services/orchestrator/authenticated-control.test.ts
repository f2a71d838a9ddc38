// Finding 2: the orchestrator refuses a self-declared approve/reject/promote on cmd.orchestrator.control
// (a shared CLI or API credential) and takes them only from cmd.orchestrator.decide.
import { describe, expect, it } from "vitest";
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { authenticatedControl } from "./service.js";

const base = { id: "c1", v: 1, occurredAt: "2026-01-01T00:00:00Z", releaseId: "shop/ratings/v2" };
const control = (action: string) =>
  ({ ...base, type: "cmd.orchestrator.control", data: { action, actor: { kind: "cli", id: "U0APPROVER" } } }) as unknown as MessageOf<"cmd.orchestrator.control">;

describe("authenticatedControl", () => {
  it.each(["approve", "reject", "promote"])("refuses a self-declared %s as unauthenticated (dead-lettered, not retried)", (action) => {
    let err: unknown;
    try {
      authenticatedControl(control(action));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SiskinError);
    expect(err).toMatchObject({ code: "SISKIN_ERR_UNAUTHENTICATED", retryable: false, message: expect.stringMatching(/self-declared/) });
  });

  it.each(["pause", "resume", "abort"])("lets a safe %s through as it is", (action) => {
    const m = control(action);
    expect(authenticatedControl(m)).toBe(m);
  });

  it("turns an authenticated decide into the workflow's control event", () => {
    const m = { ...base, type: "cmd.orchestrator.decide", data: { action: "approve", actor: { kind: "api", id: "U0ALICE" }, groups: ["S1"] } } as unknown as MessageOf<"cmd.orchestrator.decide">;
    expect(authenticatedControl(m)).toEqual({ ...base, type: "cmd.orchestrator.control", data: { action: "approve", actor: { kind: "api", id: "U0ALICE" } } });
  });
});
