// The phase kubectl shows for a release: one that never started is not reported as RolledBack.
import { describe, expect, it } from "vitest";
import { initialContext } from "./context.js";
import { statusWriteOf } from "./status.js";
import { drive } from "./driver.test-util.js";
import { makeInput, makeSpec, T0 } from "./fixtures.test-util.js";

const valid = initialContext(makeInput());
const invalid = initialContext(makeInput(makeSpec({ steps: [{ weight: 50 }, { weight: 10 }] })));

describe("statusWriteOf", () => {
  it.each([
    ["a release whose spec is refused", "failed", "InvalidSpec", "InvalidSpec", invalid],
    ["a release whose VM could not be provisioned", "failed", "Failed", "ReleaseFailed", valid],
    ["a release rolled back", "rolledBack", "RolledBack", "RolledBack", valid],
    ["a release in analysis", "step.analyzing", "Progressing", "Analyzing", valid],
  ])("%s (state %s): phase %s", (_what, state, phase, reason, ctx) => {
    const w = statusWriteOf(ctx, state, T0);
    expect(w.status.phase).toBe(phase);
    expect(w.event?.reason).toBe(reason);
  });

  it("a tag on a refused spec ends the release in state failed, written as InvalidSpec with each problem", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 50 }, { weight: 10 }] })));
    expect(r.state).toBe("failed");
    const write = statusWriteOf(r.ctx, r.state, T0);
    expect(write.status.phase).toBe("InvalidSpec");
    expect(write.status.message).toMatch(/^the VMRollout is invalid, nothing was started: spec\.steps\[1\]\.weight/);
  });
});
