// The VMRollout CRD's structural schema as the simulator applies it: each bad spec refused with the
// field error a real API server gives, unknown fields found and pruned, defaults filled in.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { admit } from "./structural.js";
import { vmRolloutCrdPath } from "./crds.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const crd = YAML.parse(readFileSync(vmRolloutCrdPath, "utf8")) as Obj;
const schema = crd.spec.versions[0].schema.openAPIV3Schema as Obj;
const sample = YAML.parse(readFileSync(new URL("../../test/fixtures/rollouts/ratings.yaml", import.meta.url), "utf8")) as Obj;

function edited(edit: (r: Obj) => void): Obj {
  const r = structuredClone(sample);
  edit(r);
  return r;
}
const rendered = (r: Obj) => admit(schema, r).errors.map((e) => `${e.field}: ${e.body}`);

describe("structural schema (VMRollout CRD)", () => {
  it("admits the ratings fixture and fills the defaults in", () => {
    const out = admit(schema, sample) as { value: Obj; errors: unknown[]; unknownFields: string[] };
    expect(out.errors).toEqual([]);
    expect(out.unknownFields).toEqual([]);
    expect(out.value.spec.revisionHistoryLimit).toBe(2);
    expect(out.value.spec.steps[2].approval).toEqual({ timeoutSeconds: 600, onTimeout: "reject" });
    expect(out.value.metadata).toEqual(sample.metadata);
  });

  it.each([
    ["weight: 150", (r: Obj) => (r.spec.steps[0].weight = 150), "spec.steps[0].weight: Invalid value: 150: spec.steps[0].weight in body should be less than or equal to 100"],
    ["steps: []", (r: Obj) => (r.spec.steps = []), "spec.steps: Invalid value: 0: spec.steps in body should have at least 1 items"],
    ["weights not increasing", (r: Obj) => (r.spec.steps = [{ weight: 50 }, { weight: 10 }]), 'spec.steps: Invalid value: "array": step weights must strictly increase'],
    ["a repeated weight", (r: Obj) => (r.spec.steps = [{ weight: 50 }, { weight: 50 }]), 'spec.steps: Invalid value: "array": step weights must strictly increase'],
    ["a missing stableVersion", (r: Obj) => delete r.spec.stableVersion, "spec.stableVersion: Required value"],
    ["a missing spec", (r: Obj) => delete r.spec, "spec: Required value"],
    ["a noData outside the enum", (r: Obj) => (r.spec.analysis.noData = "ignore"), 'spec.analysis.noData: Unsupported value: "ignore": supported values: "hold", "rollback", "pause"'],
    ["a string for an integer", (r: Obj) => (r.spec.analysis.intervalSeconds = "60"), 'spec.analysis.intervalSeconds: Invalid value: "string": spec.analysis.intervalSeconds in body must be of type integer: "string"'],
    ["a bad repository", (r: Obj) => (r.spec.source.repository = "not a repo"), `spec.source.repository: Invalid value: "not a repo": spec.source.repository in body should match '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'`],
    ["a metric with both builtin and query", (r: Obj) => (r.spec.analysis.metrics = [{ name: "e", builtin: "error-rate", query: "up" }]), 'spec.analysis.metrics[0]: Invalid value: "object": exactly one of builtin or query must be set'],
    ["two metrics of one name", (r: Obj) => (r.spec.analysis.metrics = [{ name: "e", builtin: "error-rate" }, { name: "e", builtin: "latency-p99" }]), 'spec.analysis.metrics: Invalid value: "array": metric names must be unique'],
    ["a revisionHistoryLimit of 0", (r: Obj) => (r.spec.revisionHistoryLimit = 0), "spec.revisionHistoryLimit: Invalid value: 0: spec.revisionHistoryLimit in body should be greater than or equal to 1"],
    ["too many steps", (r: Obj) => (r.spec.steps = Array.from({ length: 21 }, (_, i) => ({ weight: i + 1 }))), "spec.steps: Too many: 21: must have at most 20 items"],
    ["a long version label", (r: Obj) => (r.spec.versionLabel = "x".repeat(64)), "spec.versionLabel: Too long: may not be more than 63 bytes"],
  ])("refuses %s with the API server's field error", (_what, edit, expected) => {
    expect(rendered(edited(edit))).toContain(expected);
  });

  it("finds and prunes unknown fields at any depth, but keeps those of the VM template", () => {
    const out = admit(
      schema,
      edited((r) => {
        r.spec.stepz = [{ weight: 5 }];
        r.spec.analysis.treshold = 1;
        r.spec.vmTemplate.spec.domain.firmware = { bootloader: { efi: {} } };
      }),
    ) as { value: Obj; errors: unknown[]; unknownFields: string[] };
    expect(out.errors).toEqual([]);
    expect([...out.unknownFields].sort()).toEqual(["spec.analysis.treshold", "spec.stepz"]);
    expect(out.value.spec.stepz).toBeUndefined();
    expect(out.value.spec.analysis.treshold).toBeUndefined();
    expect(out.value.spec.vmTemplate.spec.domain.firmware).toEqual({ bootloader: { efi: {} } });
  });

  it("validates status as written by Siskin, InvalidSpec included", () => {
    const withStatus = edited((r) => (r.status = { phase: "InvalidSpec", conditions: [{ type: "SpecValid", status: "False", reason: "InvalidSpec", message: "x", lastTransitionTime: "2026-01-01T00:00:00Z" }] }));
    expect(admit(schema, withStatus).errors).toEqual([]);
    expect(rendered(edited((r) => (r.status = { phase: "Exploded" })))[0]).toMatch(/^status\.phase: Unsupported value: "Exploded"/);
  });
});
