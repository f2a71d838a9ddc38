import { describe, expect, it } from "vitest";
import { NameRule, validateName, validateObjectMeta, qualifiedName, labelValue } from "./validation.js";

describe("names", () => {
  it.each([
    [NameRule.subdomain, "reviews-v2", true],
    [NameRule.subdomain, "vmrollouts.siskin.dev", true],
    [NameRule.subdomain, "a", true],
    [NameRule.subdomain, "Reviews", false],
    [NameRule.subdomain, "-reviews", false],
    [NameRule.subdomain, "reviews-", false],
    [NameRule.subdomain, "rev_iews", false],
    [NameRule.subdomain, "a..b", false],
    [NameRule.subdomain, "a".repeat(253), true],
    [NameRule.subdomain, "a".repeat(254), false],
    [NameRule.subdomain, "a/b", false],
    [NameRule.label, "team-a", true],
    [NameRule.label, "team.a", false],
    [NameRule.label, "1team", true],
    [NameRule.label, "a".repeat(64), false],
    [NameRule.dns1035, "vmi-istio", true],
    [NameRule.dns1035, "1vmi", false],
    [NameRule.dns1035, "vmi.istio", false],
  ])("%s %j valid: %s", (rule, name, valid) => {
    expect(validateName(rule, name).length === 0).toBe(valid);
  });

  it("uses the apimachinery wording", () => {
    expect(validateName(NameRule.subdomain, "Bad_Name")).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(validateName(NameRule.label, "a".repeat(64))[0]).toBe("must be no more than 63 characters");
    expect(validateName(NameRule.dns1035, "9x")[0]).toContain("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character");
  });
});

describe("metadata", () => {
  it.each([
    [{ name: "ok", labels: { app: "reviews", "app.kubernetes.io/version": "1.2.3" } }, []],
    [{}, ["metadata.name"]],
    [{ name: "Bad" }, ["metadata.name"]],
    [{ name: "ok", labels: { "bad key": "x" } }, ["metadata.labels"]],
    [{ name: "ok", labels: { app: "bad value" } }, ["metadata.labels"]],
    [{ name: "ok", labels: { app: "x".repeat(64) } }, ["metadata.labels"]],
    [{ name: "ok", annotations: { "sim.siskin.dev/boot-seconds": "3", "/x": "y" } }, ["metadata.annotations"]],
  ])("%j → errors on %j", (meta, fields) => {
    expect(validateObjectMeta(meta, NameRule.subdomain).map((e) => e.field)).toEqual(fields);
  });

  it("renders an Invalid value body", () => {
    const [err] = validateObjectMeta({ name: "Bad" }, NameRule.subdomain);
    expect(err?.body).toMatch(/^Invalid value: "Bad": a lowercase RFC 1123 subdomain/);
    expect(validateObjectMeta({}, NameRule.subdomain)[0]?.body).toBe("Required value: name or generateName is required");
  });

  it.each([
    ["app", true],
    ["kubevirt.io/nodeName", true],
    ["a/b/c", false],
    ["", false],
    ["UPPER.example/x", false],
  ])("label key %j valid: %s", (key, valid) => {
    expect(qualifiedName(key).length === 0).toBe(valid);
  });

  it.each([
    ["", true],
    ["v1", true],
    ["1.2.3_x", true],
    ["-v", false],
  ])("label value %j valid: %s", (value, valid) => {
    expect(labelValue(value).length === 0).toBe(valid);
  });
});
