// Every problem of a VMRollout spec with its field path: the schema's, the CRD's CEL rules', and what
// no CRD schema can express (KubeVirt's template requirement, PromQL placeholders).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { rolloutSpecProblems } from "./rollout-validate.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const sample = (YAML.parse(readFileSync(new URL("../test/fixtures/rollouts/ratings.yaml", import.meta.url), "utf8")) as Obj).spec as Obj;
const edited = (edit: (s: Obj) => void): Obj => {
  const s = structuredClone(sample);
  edit(s);
  return s;
};

describe("rolloutSpecProblems", () => {
  it("finds nothing wrong with the ratings fixture", () => {
    expect(rolloutSpecProblems(sample)).toEqual([]);
  });

  it.each([
    ["weight: 150", (s: Obj) => (s.steps[0].weight = 150), { path: "spec.steps[0].weight", message: "must be <= 100" }],
    ["steps: []", (s: Obj) => (s.steps = []), { path: "spec.steps", message: "must not have fewer than 1 items" }],
    ["a typo'd field", (s: Obj) => (s.stepz = []), { path: "spec.stepz", message: 'unknown field "stepz"' }],
    ["a missing stableVersion", (s: Obj) => delete s.stableVersion, { path: "spec.stableVersion", message: "Required value" }],
    ["decreasing weights", (s: Obj) => (s.steps = [{ weight: 50 }, { weight: 10 }]), { path: "spec.steps[1].weight", message: "10 is not above the previous step's 50: step weights must strictly increase" }],
    ["builtin and query", (s: Obj) => (s.analysis.metrics = [{ name: "e", builtin: "error-rate", query: "up" }]), { path: "spec.analysis.metrics[0]", message: "exactly one of builtin or query must be set" }],
    ["neither builtin nor query", (s: Obj) => (s.analysis.metrics = [{ name: "e", max: 1 }]), { path: "spec.analysis.metrics[0]", message: "exactly one of builtin or query must be set" }],
    ["two metrics of one name", (s: Obj) => (s.analysis.metrics = [{ name: "e", builtin: "error-rate" }, { name: "e", builtin: "latency-p99" }]), { path: "spec.analysis.metrics[1].name", message: 'metric names must be unique: "e" is used twice' }],
    ["a template without a domain", (s: Obj) => delete s.vmTemplate.spec.domain, { path: "spec.vmTemplate.spec.domain", message: "Required value: KubeVirt refuses a VirtualMachine template without a domain" }],
    [
      "an unknown placeholder",
      (s: Obj) => (s.analysis.metrics = [{ name: "e", query: 'sum(rate(x{ns="{{namspace}}"}[{{ interval }}]))', max: 1 }]),
      { path: "spec.analysis.metrics[0].query", message: "unknown placeholder {{namspace}}: use {{namespace}}, {{service}}, {{interval}}" },
    ],
  ])("reports %s with its path", (_what, edit, problem) => {
    expect(rolloutSpecProblems(edited(edit))).toContainEqual(problem);
  });

  it("lists every schema problem at once", () => {
    const problems = rolloutSpecProblems(edited((s) => {
      s.steps[0].weight = 150;
      s.analysis.intervalSeconds = "60";
      s.stepz = 1;
    }));
    expect(problems.map((p) => p.path).sort()).toEqual(["spec.analysis.intervalSeconds", "spec.steps[0].weight", "spec.stepz"]);
  });
});
