import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyPush, commitSha, globToRegExp, tagMatches, versionFromTag } from "./tags.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/upstream/github/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

describe("classifyPush", () => {
  it.each([
    ["push-tag-created-v0.0.1.drone-go-scm.json", { kind: "tagCreated", tag: "v0.0.1" }],
    ["push-tag-created-simple-tag.octokit-ghes-34.json", { kind: "tagCreated", tag: "simple-tag" }],
    ["push-tag-deleted-v0.0.1.drone-go-scm.json", { kind: "ignored", reason: "tag v0.0.1 was deleted" }],
    ["push-tag-deleted-simple-tag.octokit.json", { kind: "ignored", reason: "tag simple-tag was deleted" }],
    ["push-branch-commit.drone-go-scm.json", { kind: "ignored", reason: "push to refs/heads/master is not a tag" }],
    ["push-new-branch.octokit.json", { kind: "ignored", reason: "push to refs/heads/master is not a tag" }],
  ])("%s", (file, expected) => {
    expect(classifyPush(fixture(file))).toEqual(expected);
  });

  it("ignores a moved tag and a payload without ref", () => {
    expect(classifyPush({ ref: "refs/tags/v1", created: false, deleted: false })).toEqual({ kind: "ignored", reason: "tag v1 was moved, not created" });
    expect(classifyPush({})).toEqual({ kind: "ignored", reason: "push has no ref" });
    expect(classifyPush({ ref: "refs/tags/", created: true, deleted: false }).kind).toBe("ignored");
  });
});

describe("tag patterns", () => {
  it.each([
    ["v*", "v2.3.0", true],
    ["v*", "2.3.0", false],
    ["v*", "release/v2", false],
    ["**", "release/v2", true],
    ["release/*", "release/v2", true],
    ["v?.*", "v2.3.0", true],
    ["v?.*", "v10.3.0", false],
    ["v[0-9]*", "v2.3.0", true],
    ["v[0-9]*", "vx", false],
    ["v[!0-9]*", "vx", true],
    ["v1.0+*", "v1.0+build", true],
    ["v1.0+*", "v1.00", false],
    ["v[", "v[", false],
    ["ratings-v*", "ratings-v1.2.3", true],
  ])("%s ~ %s → %s", (pattern, tag, expected) => {
    expect(tagMatches(pattern, tag)).toBe(expected);
  });

  it("names the broken pattern", () => {
    expect(() => globToRegExp("v[1")).toThrow(/unclosed "\["/);
  });
});

describe("versionFromTag", () => {
  it.each([
    ["v2.3.0", "v2.3.0"],
    ["simple-tag", "simple-tag"],
    ["release/2.3.0", "release-2.3.0"],
    ["v1.0.0+build.5", "v1.0.0-build.5"],
    ["-v1-", "v1"],
    ["///", undefined],
    ["x".repeat(70), "x".repeat(63)],
    [`${"a".repeat(62)}.b`, "a".repeat(62)],
  ])("%s → %s", (tag, version) => {
    expect(versionFromTag(tag)).toBe(version);
  });
});

describe("commitSha", () => {
  it("takes the first valid SHA, never all zeros", () => {
    expect(commitSha(undefined, "0".repeat(40), "abc1234")).toBe("abc1234");
    expect(commitSha("XYZ", 12)).toBeUndefined();
  });
});
