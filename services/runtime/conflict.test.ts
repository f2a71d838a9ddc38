import { describe, expect, it } from "vitest";
import { SiskinError } from "../../schemas/errors.js";
import { isConflict, retryOnConflict } from "./conflict.js";
import { KubeApiError } from "./kube-error.js";

const conflict = () => new SiskinError("SISKIN_ERR_CONFLICT", "revision moved");

describe("isConflict", () => {
  it.each([
    ["KV revision conflict", conflict(), true],
    ["Kubernetes 409 Conflict", new KubeApiError("stale", 409, "Conflict"), true],
    ["Kubernetes 409 without a reason", new KubeApiError("stale", 409), true],
    ["Kubernetes 409 AlreadyExists", new KubeApiError("exists", 409, "AlreadyExists"), false],
    ["Kubernetes 404", new KubeApiError("gone", 404, "NotFound"), false],
    ["another SiskinError", new SiskinError("SISKIN_ERR_UNAVAILABLE", "down"), false],
    ["a plain error", new Error("boom"), false],
    ["not an error", "409", false],
  ])("%s → %s", (_name, err, want) => {
    expect(isConflict(err)).toBe(want);
  });
});

describe("retryOnConflict", () => {
  it.each([
    [0, 1],
    [1, 3],
    [2, 3],
    [3, 3],
  ])("losing %i races with %i attempts: the first win returns, too many lost races throw a retryable conflict", async (losses, attempts) => {
    const seen: number[] = [];
    const retried: number[] = [];
    const run = retryOnConflict({ attempts, what: "thing x", onRetry: (a) => retried.push(a) }, async (attempt) => {
      seen.push(attempt);
      if (attempt <= losses) throw conflict();
      return attempt;
    });
    if (losses < attempts) {
      await expect(run).resolves.toBe(losses + 1);
      expect(seen).toEqual(Array.from({ length: losses + 1 }, (_, i) => i + 1));
      expect(retried).toEqual(Array.from({ length: losses }, (_, i) => i + 1));
    } else {
      await expect(run).rejects.toMatchObject({ code: "SISKIN_ERR_CONFLICT", retryable: true, message: expect.stringContaining("thing x lost 3") });
      expect(seen).toEqual([1, 2, 3]);
    }
  });

  it("throws any other error at once, without retrying", async () => {
    let calls = 0;
    const boom = new KubeApiError("forbidden", 403, "Forbidden");
    await expect(
      retryOnConflict({ attempts: 5, what: "x" }, async () => {
        calls++;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  it("keeps the last conflict as the cause", async () => {
    const last = new KubeApiError("stale", 409, "Conflict");
    const err = await retryOnConflict({ attempts: 1, what: "VirtualService a/b update" }, async () => {
      throw last;
    }).catch((e: unknown) => e);
    expect((err as Error).cause).toBe(last);
  });
});
