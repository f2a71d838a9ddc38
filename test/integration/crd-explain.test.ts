// `kubectl explain` (the real kubectl, against sim/cluster) documents the VMRollout from the CRD that
// `npm run schemas:export` generates: the field docs of schemas/rollout.ts reach the openAPIV3Schema.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { kubectlFor } from "../harness/index.js";

const crd = join(import.meta.dirname, "..", "..", "infra", "k8s", "crds", "vmrollout.yaml");
let sim: RunningSimCluster;
let dir: string;
let kubectl: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crd-explain-"));
  sim = await startSimCluster({});
  await sim.writeKubeconfig(join(dir, "kubeconfig"));
  kubectl = kubectlFor(join(dir, "kubeconfig"), dir);
  await kubectl.ok(["apply", "-f", crd]);
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Collapse kubectl's wrapped description lines, so a sentence matches wherever it breaks. */
const flat = (s: string) => s.replace(/\s+/g, " ");

describe("kubectl explain vmrollout", () => {
  it.each([
    ["vmrollout.spec.steps", ["Traffic steps (default 10, 50, 100)", "Canary weight in percent (1..100); omit for a mirror or matched step.", "Analysis intervals to bake at this step", "Ask the approvers before shifting to this step."]],
    ["vmrollout.spec.analysis", ["How each step is judged.", "Length of one analysis interval.", "Consecutive failed intervals tolerated", "What to do when inconclusive intervals exceed the limit", "Firing alerts that match roll back at once."]],
    ["vmrollout.spec.analysis.metrics", ["Metrics; default error-rate", "Unique name within the rollout", "A built-in Istio metric", "A custom PromQL template", "Roll back at once (fast path)"]],
    ["vmrollout.spec.approvers", ["Who may approve gated steps", "Slack user ids (`U…`) who may approve.", "Slack user group ids (`S…`) whose members may approve."]],
  ])("%s shows the field and its children's descriptions", async (path, texts) => {
    const out = flat(await kubectl.ok(["explain", path]));
    for (const t of texts) expect(out).toContain(t);
  });

  it("documents every field of spec.analysis and spec.approvers (no <empty> description)", async () => {
    for (const path of ["vmrollout.spec.analysis", "vmrollout.spec.approvers", "vmrollout.spec.steps", "vmrollout.spec.analysis.metrics"]) {
      const out = await kubectl.ok(["explain", path]);
      expect(out, path).toMatch(/FIELDS:/);
      expect(out, path).not.toContain("<empty>");
    }
  });
});
