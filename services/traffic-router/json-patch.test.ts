import { describe, expect, it } from "vitest";
import { applyPatch, pointer, type JsonPatchOp } from "./json-patch.js";

// Cases from RFC 6902 appendix A.
const cases: Array<[string, unknown, JsonPatchOp[], unknown]> = [
  ["A.1 add an object member", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { foo: "bar", baz: "qux" }],
  ["A.2 add an array element", { foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }], { foo: ["bar", "qux", "baz"] }],
  ["A.3 remove an object member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" }],
  ["A.4 remove an array element", { foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }], { foo: ["bar", "baz"] }],
  ["A.5 replace a value", { baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }], { baz: "boo", foo: "bar" }],
  ["A.6 move a value", { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } }, [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }], { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } }],
  ["A.8 test a value (success)", { baz: "qux", foo: ["a", 2, "c"] }, [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }], { baz: "qux", foo: ["a", 2, "c"] }],
  ["A.16 add to the array end", { foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], { foo: ["bar", ["abc", "def"]] }],
  ["A.14 escaped pointer", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }], { "/": 9, "~1": 10 }],
  ["copy", { a: { b: 1 } }, [{ op: "copy", from: "/a", path: "/c" }], { a: { b: 1 }, c: { b: 1 } }],
];

describe("applyPatch (RFC 6902)", () => {
  it.each(cases)("%s", (_t, doc, ops, want) => {
    const frozen = structuredClone(doc);
    expect(applyPatch(doc, ops)).toEqual({ ok: true, doc: want });
    expect(doc).toEqual(frozen);
  });

  it.each<[string, unknown, JsonPatchOp[]]>([
    ["A.9 test a value (error)", { baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }]],
    ["A.12 add to a nonexistent target", { foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }]],
    ["test a missing path", { foo: 1 }, [{ op: "test", path: "/bar", value: 1 }]],
    ["replace a missing member", { foo: 1 }, [{ op: "replace", path: "/bar", value: 1 }]],
    ["remove past the array end", { a: [1] }, [{ op: "remove", path: "/a/1" }]],
  ])("%s fails", (_t, doc, ops) => {
    expect(applyPatch(doc, ops)).toMatchObject({ ok: false, index: ops.length - 1 });
  });

  it("pointer escapes ~ and /", () => {
    expect(pointer("spec", "a/b", "c~d", 0)).toBe("/spec/a~1b/c~0d/0");
  });

  it("test ignores object key order, not array order", () => {
    const doc = { spec: { a: 1, b: [1, 2] } };
    expect(applyPatch(doc, [{ op: "test", path: "/spec", value: { b: [1, 2], a: 1 } }])).toEqual({ ok: true, doc });
    expect(applyPatch(doc, [{ op: "test", path: "/spec/b", value: [2, 1] }])).toMatchObject({ ok: false, index: 0 });
  });
});
