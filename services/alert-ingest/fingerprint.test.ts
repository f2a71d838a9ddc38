import { describe, expect, it } from "vitest";
import { labelsFingerprint } from "./fingerprint.js";
import { upstream } from "./fixtures.test-util.js";

describe("labelsFingerprint", () => {
  it("equals the fingerprint a real Alertmanager sent (upstream fixture)", () => {
    const body = upstream("webhook-v4-resolved-k8s-deployment.json");
    const alert = body.alerts[0]!;
    expect(labelsFingerprint(alert.labels)).toBe(alert.fingerprint);
  });

  it("does not depend on label order, and differs when a value differs", () => {
    expect(labelsFingerprint({ a: "1", b: "2" })).toBe(labelsFingerprint({ b: "2", a: "1" }));
    expect(labelsFingerprint({ a: "1", b: "2" })).not.toBe(labelsFingerprint({ a: "1", b: "3" }));
    // The separator keeps name/value boundaries apart.
    expect(labelsFingerprint({ ab: "c" })).not.toBe(labelsFingerprint({ a: "bc" }));
  });

  it("is 16 hex digits, also for no labels (FNV-1a offset basis)", () => {
    expect(labelsFingerprint({})).toBe("cbf29ce484222325");
    expect(labelsFingerprint({ alertname: "ünï" })).toMatch(/^[0-9a-f]{16}$/);
  });
});
