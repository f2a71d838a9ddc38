import { describe, expect, it } from "vitest";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "./patch.js";

const vs = {
  metadata: { name: "reviews", labels: { app: "reviews" } },
  spec: {
    hosts: ["reviews"],
    http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: 80 }, { destination: { host: "reviews", subset: "v2" }, weight: 20 }] }],
  },
};

describe("JSON merge patch (RFC 7386)", () => {
  it.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])("RFC 7386 appendix A: %j + %j", (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it("replaces route arrays wholesale and leaves the input untouched", () => {
    const out = applyMergePatch(vs, { spec: { http: [{ route: [{ destination: { host: "reviews", subset: "v2" }, weight: 100 }] }] } }) as typeof vs;
    expect(out.spec.http[0]?.route).toHaveLength(1);
    expect(out.spec.hosts).toEqual(["reviews"]);
    expect(vs.spec.http[0]?.route).toHaveLength(2);
  });
});

describe("JSON patch (RFC 6902)", () => {
  it.each([
    ["add to object", { a: 1 }, [{ op: "add", path: "/b", value: 2 }], { a: 1, b: 2 }],
    ["add to array end", { a: [1] }, [{ op: "add", path: "/a/-", value: 2 }], { a: [1, 2] }],
    ["add into array", { a: [1, 3] }, [{ op: "add", path: "/a/1", value: 2 }], { a: [1, 2, 3] }],
    ["remove", { a: 1, b: 2 }, [{ op: "remove", path: "/b" }], { a: 1 }],
    ["remove from array", { a: [1, 2, 3] }, [{ op: "remove", path: "/a/1" }], { a: [1, 3] }],
    ["replace", { a: 1 }, [{ op: "replace", path: "/a", value: 5 }], { a: 5 }],
    ["move", { a: 1 }, [{ op: "move", from: "/a", path: "/b" }], { b: 1 }],
    ["copy", { a: { x: 1 } }, [{ op: "copy", from: "/a", path: "/b" }], { a: { x: 1 }, b: { x: 1 } }],
    ["escaped keys", { "a/b": 1, "c~d": 2 }, [{ op: "replace", path: "/a~1b", value: 3 }, { op: "remove", path: "/c~0d" }], { "a/b": 3 }],
    ["test then replace", { w: 80 }, [{ op: "test", path: "/w", value: 80 }, { op: "replace", path: "/w", value: 50 }], { w: 50 }],
    ["test deep equality", { a: { b: [1, { c: 2 }] } }, [{ op: "test", path: "/a", value: { b: [1, { c: 2 }] } }], { a: { b: [1, { c: 2 }] } }],
  ])("%s", (_name, target, ops, expected) => {
    expect(applyJsonPatch(target, ops)).toEqual(expected);
  });

  it("shifts a weight with test + replace", () => {
    const out = applyJsonPatch(vs, [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 80 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 50 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 50 },
    ]) as typeof vs;
    expect(out.spec.http[0]?.route.map((r) => r.weight)).toEqual([50, 50]);
  });

  it.each([
    ["failed test", [{ op: "test", path: "/spec/http/0/route/0/weight", value: 10 }], true],
    ["test of a missing path", [{ op: "test", path: "/spec/nope", value: 1 }], true],
    ["replace of a missing key", [{ op: "replace", path: "/spec/nope", value: 1 }], false],
    ["remove of a missing key", [{ op: "remove", path: "/spec/nope" }], false],
    ["add under a missing parent", [{ op: "add", path: "/x/y", value: 1 }], false],
    ["index out of bounds", [{ op: "replace", path: "/spec/hosts/5", value: "x" }], false],
    ["unknown op", [{ op: "frobnicate", path: "/a" }], false],
  ])("rejects %s", (_name, ops, testFailed) => {
    try {
      applyJsonPatch(vs, ops);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PatchError);
      expect((err as PatchError).testFailed).toBe(testFailed);
    }
  });

  it("applies all or nothing", () => {
    const before = structuredClone(vs);
    expect(() => applyJsonPatch(vs, [{ op: "replace", path: "/spec/hosts/0", value: "x" }, { op: "test", path: "/spec/hosts/0", value: "y" }])).toThrow(PatchError);
    expect(vs).toEqual(before);
  });
});

describe("strategic merge patch (built-in types)", () => {
  const svc = { spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "grpc", port: 9090 }], selector: { app: "a" } } };
  it.each([
    ["merges maps like a merge patch", { spec: { selector: { tier: "b" } } }, { ports: svc.spec.ports, selector: { app: "a", tier: "b" } }],
    [
      "merges ports by port",
      { spec: { $setElementOrder_ports: undefined, ports: [{ port: 80, targetPort: 8081 }] } },
      { ports: [{ name: "http", port: 80, targetPort: 8081 }, { name: "grpc", port: 9090 }], selector: { app: "a" } },
    ],
    [
      "deletes by $patch: delete",
      { spec: { ports: [{ port: 9090, $patch: "delete" }] } },
      { ports: [{ name: "http", port: 80, targetPort: 8080 }], selector: { app: "a" } },
    ],
    [
      "orders by $setElementOrder",
      { spec: { "$setElementOrder/ports": [{ port: 9090 }, { port: 80 }], ports: [{ port: 9090, name: "grpc2" }] } },
      { ports: [{ name: "grpc2", port: 9090 }, { name: "http", port: 80, targetPort: 8080 }], selector: { app: "a" } },
    ],
    ["replaces with $patch: replace", { spec: { selector: { $patch: "replace", x: "y" } } }, { ports: svc.spec.ports, selector: { x: "y" } }],
  ])("%s", (_name, patch, expectedSpec) => {
    const clean = JSON.parse(JSON.stringify(patch)) as unknown;
    expect((applyStrategicMergePatch(svc, clean) as typeof svc).spec).toEqual(expectedSpec);
  });

  it("merges finalizers as a set and deletes from primitive lists", () => {
    const obj = { metadata: { finalizers: ["a", "b"] } };
    expect(applyStrategicMergePatch(obj, { metadata: { finalizers: ["c"] } })).toEqual({ metadata: { finalizers: ["a", "b", "c"] } });
    expect(applyStrategicMergePatch(obj, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } })).toEqual({ metadata: { finalizers: ["b"] } });
  });
});
