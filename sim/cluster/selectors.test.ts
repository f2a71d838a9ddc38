import { describe, expect, it } from "vitest";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.js";

const labels = { app: "reviews", version: "v2", tier: "backend", weight: "10" };

describe("label selectors", () => {
  it.each([
    ["", true],
    ["app=reviews", true],
    ["app==reviews", true],
    ["app = reviews", true],
    ["app=ratings", false],
    ["app!=ratings", true],
    ["app!=reviews", false],
    ["missing!=x", true],
    ["version in (v1,v2)", true],
    ["version in (v1, v3)", false],
    ["version notin (v1,v3)", true],
    ["version notin (v2)", false],
    ["missing notin (a)", true],
    ["missing in (a)", false],
    ["tier", true],
    ["missing", false],
    ["!missing", true],
    ["!tier", false],
    ["app=reviews,version in (v2),!canary", true],
    ["app=reviews,version=v1", false],
    ["weight>5", true],
    ["weight<5", false],
    ["example.com/team=x", false],
  ])("%j matches: %s", (selector, expected) => {
    expect(matchesLabels(labels, parseLabelSelector(selector))).toBe(expected);
  });

  it("parses requirements", () => {
    expect(parseLabelSelector("a=b, c in (d,e),!f")).toEqual([
      { key: "a", op: "=", values: ["b"] },
      { key: "c", op: "in", values: ["d", "e"] },
      { key: "f", op: "!", values: [] },
    ]);
  });

  it.each(["a=b c", "a in (b c)", "=b", "a,,b", "a>b", "in (a)", "a in ()"])("rejects %j", (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
  });

  it("treats missing labels as empty", () => {
    expect(matchesLabels(undefined, parseLabelSelector("!app"))).toBe(true);
    expect(matchesLabels(undefined, parseLabelSelector("app"))).toBe(false);
  });
});

describe("field selectors", () => {
  const fields = { "metadata.name": "vmi-1", "involvedObject.name": "vmi-1", reason: "Started", type: "Normal" };
  it.each([
    ["metadata.name=vmi-1", true],
    ["metadata.name==vmi-1", true],
    ["metadata.name!=vmi-1", false],
    ["involvedObject.name=vmi-1,reason=Started", true],
    ["involvedObject.name=vmi-1,type=Warning", false],
    ["type!=Warning", true],
    ["involvedObject.kind=", true],
  ])("%j matches: %s", (selector, expected) => {
    expect(matchesFields(fields, parseFieldSelector(selector))).toBe(expected);
  });

  it("unescapes values", () => {
    expect(parseFieldSelector("a=x\\,y,b=z")).toEqual([
      { field: "a", op: "=", value: "x,y" },
      { field: "b", op: "=", value: "z" },
    ]);
  });

  it("rejects a term without operator", () => {
    expect(() => parseFieldSelector("metadata.name")).toThrow(SelectorError);
  });
});
