import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { releaseIdFromKey, releaseKey, rolloutKey } from "./subjects.js";

describe("releaseKey", () => {
  it.each([
    ["prod/reviews/v2.3.0", "prod=2freviews=2fv2=2e3=2e0"],
    ["shop/ratings/v2", "shop=2fratings=2fv2"],
    ["ns/app/v1=2f", "ns=2fapp=2fv1=3d2f"],
    ["a_b-c/d/1", "a_b-c=2fd=2f1"],
  ])("%s is written %s, as the doc comment says", (id, key) => {
    expect(releaseKey(id)).toBe(key);
    expect(releaseIdFromKey(key)).toBe(id);
  });

  it("is a valid single-token KV key and reversible for any printable id", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."abcXYZ019./=_-:+@ ") }), (id) => {
        const key = releaseKey(id);
        expect(key).toMatch(/^[A-Za-z0-9_=-]*$/);
        expect(releaseIdFromKey(key)).toBe(id);
      }),
    );
  });

  it("keys a rollout as releaseKey(<ns>/<name>)", () => {
    expect(rolloutKey("prod", "reviews")).toBe("prod=2freviews");
  });
});
