// The real kubectl against sim-cluster's VMRollout CRD: bad specs refused at the door (server-side dry
// run included), unknown fields refused under kubectl's default strict validation and pruned with a
// warning under --validate=warn, defaults filled in, and the CRD's printer columns in `kubectl get`.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { kubectlFor } from "../harness/kubectl.js";

const fixture = join(import.meta.dirname, "..", "fixtures", "rollouts", "ratings.yaml");
let sim: RunningSimCluster;
let dir: string;
let kubectl: ReturnType<typeof kubectlFor>;
let ratings: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sim-crd-schema-"));
  sim = await startSimCluster({ clock: () => Date.parse("2026-03-01T12:00:00Z") });
  await sim.writeKubeconfig(join(dir, "kubeconfig"));
  kubectl = kubectlFor(join(dir, "kubeconfig"), dir);
  sim.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bookinfo" } });
  ratings = await readFile(fixture, "utf8");
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the VMRollout CRD in sim-cluster, through kubectl", () => {
  it.each([
    ["weight: 150", ratings_((y) => y.replace(/weight: 10$/m, "weight: 150")), 'The VMRollout "ratings" is invalid: spec.steps[0].weight: Invalid value: 150: spec.steps[0].weight in body should be less than or equal to 100'],
    ["steps: []", ratings_((y) => y.replace(/^  steps:\n(    .*\n)+/m, "  steps: []\n")), 'The VMRollout "ratings" is invalid: spec.steps: Invalid value: 0: spec.steps in body should have at least 1 items'],
    ["decreasing weights", ratings_((y) => y.replace(/weight: 10$/m, "weight: 60")), 'The VMRollout "ratings" is invalid: spec.steps: Invalid value: "array": step weights must strictly increase'],
  ])("refuses %s with apply --dry-run=server and creates nothing", async (_what, yaml, message) => {
    const r = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], yaml());
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(message);
    expect(sim.store.get("vmro", "bookinfo", "ratings")).toBeUndefined();
  });

  it("accepts a mirror step and a matched step ahead of the weight steps (the weight rule reads weight steps only)", async () => {
    const yaml = ratings.replace(/^  steps:\n/m, "  steps:\n    - mirror: { percentage: 100 }\n    - match: [{ headers: { x-canary: { exact: always } } }]\n");
    const r = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], yaml);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("refuses a typo'd field under kubectl's default (strict) validation", async () => {
    const r = await kubectl.run(["apply", "-f", "-"], ratings.replace(/^  steps:$/m, "  stepz:"));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (BadRequest): error when creating "STDIN": VMRollout in version "v1alpha1" cannot be handled as a VMRollout: strict decoding error: unknown field "spec.stepz"',
    );
  });

  it("prunes a typo'd field with a warning under --validate=warn, and fills the defaults in", async () => {
    const r = await kubectl.run(["apply", "--validate=warn", "-f", "-"], ratings.replace(/^  analysis:$/m, "  analysis:\n    treshold: 3"));
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('Warning: unknown field "spec.analysis.treshold"');
    expect(r.stdout.trim()).toBe("vmrollout.siskin.dev/ratings created");
    const stored = sim.store.get("vmro", "bookinfo", "ratings") as unknown as { spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(stored.spec.analysis.treshold).toBeUndefined();
    expect(stored.spec.revisionHistoryLimit).toBe(2);
    expect(stored.spec.steps[2].approval).toEqual({ timeoutSeconds: 600, onTimeout: "reject" });
  });

  it("shows the CRD's printer columns in kubectl get (wide adds State)", async () => {
    sim.store.updateStatus({
      ...(sim.store.get("vmro", "bookinfo", "ratings") as object),
      status: { phase: "Progressing", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10, state: "analyzing" },
    } as never);
    expect(await kubectl.ok(["get", "vmro", "-n", "bookinfo"])).toBe(
      ["NAME      PHASE         STABLE   CANARY   WEIGHT   AGE", "ratings   Progressing   v1       v2       10       0s", ""].join("\n"),
    );
    expect((await kubectl.ok(["get", "vmro", "-n", "bookinfo", "-o", "wide"])).split("\n")[0]).toMatch(/^NAME\s+PHASE\s+STABLE\s+CANARY\s+WEIGHT\s+STATE\s+AGE$/);
  });

  it("refuses an invalid change to a stored rollout with kubectl patch, and keeps the stored spec", async () => {
    const r = await kubectl.run(["patch", "vmro", "ratings", "-n", "bookinfo", "--type", "merge", "-p", '{"spec":{"analysis":{"noData":"ignore"}}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('spec.analysis.noData: Unsupported value: "ignore": supported values: "hold", "rollback", "pause"');
  });
});

function ratings_(edit: (yaml: string) => string): () => string {
  return () => edit(ratings);
}
