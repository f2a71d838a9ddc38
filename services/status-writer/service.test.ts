import { KubeApiError } from "../runtime/kube-error.js";
import { describe, expect, it } from "vitest";
import { message } from "../../schemas/codec.js";
import type { VMRolloutStatus } from "../../schemas/rollout.js";
import { Command } from "../../schemas/subjects.js";
import { mergeStatus } from "./plan.js";
import type { RolloutObject, Rollouts } from "./ports.js";
import { createService, eventName } from "./service.js";

const status: VMRolloutStatus = {
  phase: "Progressing",
  canaryWeight: 10,
  conditions: [{ type: "Progressing", status: "True", reason: "StepStarted", message: "step 1", lastTransitionTime: "2026-11-22T00:00:10Z" }],
};
const cmd = message(Command.statusWrite, {
  id: "demo/ratings/v2:7",
  occurredAt: "2026-11-22T00:00:10Z",
  releaseId: "demo/ratings/v2",
  data: { rollout: { namespace: "demo", name: "ratings" }, status, event: { type: "Normal", reason: "StepStarted", message: "weight 10" } },
});

function fakeRollouts(conflicts: number, exists = true) {
  const writes: VMRolloutStatus[] = [];
  const events: string[] = [];
  let rv = 1;
  let left = conflicts;
  const rollouts: Rollouts = {
    async get(namespace, name) {
      return exists ? ({ metadata: { namespace, name, uid: "u1", resourceVersion: String(rv), generation: 3 } } satisfies RolloutObject) : null;
    },
    async replaceStatus(_obj, s) {
      if (left-- > 0) {
        rv++;
        throw new KubeApiError("conflict", 409, "Conflict");
      }
      writes.push(s);
    },
    async recordEvent(_obj, name) {
      if (!events.includes(name)) events.push(name);
    },
  };
  return { rollouts, writes, events };
}

describe("status-writer", () => {
  it("writes the status with observedGeneration and records one Event", async () => {
    const f = fakeRollouts(0);
    expect(await createService({ rollouts: f.rollouts, maxAttempts: 3 }).handle(cmd)).toBe("written");
    expect(f.writes).toEqual([{ ...status, observedGeneration: 3 }]);
    expect(f.events).toEqual([eventName("ratings", cmd.id)]);
  });

  it("retries a conflict with a fresh read", async () => {
    const f = fakeRollouts(2);
    expect(await createService({ rollouts: f.rollouts, maxAttempts: 3 }).handle(cmd)).toBe("written");
    expect(f.writes).toHaveLength(1);
  });

  it("gives a retryable error after too many conflicts", async () => {
    const f = fakeRollouts(5);
    await expect(createService({ rollouts: f.rollouts, maxAttempts: 2 }).handle(cmd)).rejects.toMatchObject({ code: "SISKIN_ERR_CONFLICT", retryable: true });
  });

  it("skips a rollout that no longer exists", async () => {
    const f = fakeRollouts(0, false);
    expect(await createService({ rollouts: f.rollouts, maxAttempts: 2 }).handle(cmd)).toBe("rollout-missing");
    expect(f.writes).toEqual([]);
  });

  it("a redelivered command records the same Event name", () => {
    expect(eventName("ratings", cmd.id)).toBe(eventName("ratings", cmd.id));
    expect(eventName("ratings", cmd.id)).not.toBe(eventName("ratings", "other"));
    expect(eventName("ratings", cmd.id)).toMatch(/^ratings\.[0-9a-f]{16}$/);
  });

  it.each([
    ["keeps the transition time when the status did not change", "True", "2026-11-22T00:00:00Z"],
    ["takes the new transition time when the status changed", "False", "2026-11-22T00:00:10Z"],
  ])("mergeStatus %s", (_name, storedStatus, expected) => {
    const stored: VMRolloutStatus = {
      conditions: [{ type: "Progressing", status: storedStatus as "True" | "False", reason: "x", message: "y", lastTransitionTime: "2026-11-22T00:00:00Z" }],
    };
    expect(mergeStatus(stored, status, 4).conditions?.[0]?.lastTransitionTime).toBe(expected);
  });
});
