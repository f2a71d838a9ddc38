// status-writer against the cluster simulator: the VMRollout's status and Events, as kubectl shows them.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { message } from "../../schemas/codec.js";
import { Command } from "../../schemas/subjects.js";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { kubeRollouts } from "../../services/status-writer/kube.js";
import { createService } from "../../services/status-writer/service.js";
import { kubectlFor } from "../harness/kubectl.js";

const root = join(import.meta.dirname, "..", "..");
let sim: RunningSimCluster;
let dir: string;
let kubectl: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "status-writer-"));
  sim = await startSimCluster({ clock: () => Date.parse("2026-11-22T00:00:00Z") });
  await sim.writeKubeconfig(join(dir, "kubeconfig"));
  kubectl = kubectlFor(join(dir, "kubeconfig"), dir);
  await kubectl.ok(["apply", "-f", join(root, "infra/k8s/crds/vmrollout.yaml")]);
  await kubectl.ok(["create", "namespace", "bookinfo"]);
  await kubectl.ok(["apply", "-f", join(root, "test/fixtures/rollouts/ratings.yaml")]);
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("status-writer", () => {
  it("writes status that kubectl get and describe show, once per command", async () => {
    const service = createService({ rollouts: kubeRollouts(sim.kubeConfig()), maxAttempts: 3 });
    const cmd = message(Command.statusWrite, {
      id: "bookinfo/ratings/v2:3",
      occurredAt: "2026-11-22T00:00:10Z",
      releaseId: "bookinfo/ratings/v2",
      data: {
        rollout: { namespace: "bookinfo", name: "ratings" },
        status: {
          phase: "Progressing",
          stableVersion: "v1",
          canaryVersion: "v2",
          canaryWeight: 10,
          currentStep: 0,
          state: "step.analyzing",
          conditions: [{ type: "Progressing", status: "True", reason: "WeightsSet", message: "canary at 10 %", lastTransitionTime: "2026-11-22T00:00:10Z" }],
        },
        event: { type: "Normal", reason: "WeightsSet", message: "canary v2 at 10 %" },
      },
    });
    expect(await service.handle(cmd)).toBe("written");
    expect(await service.handle(cmd)).toBe("written"); // a redelivery

    const table = await kubectl.ok(["get", "vmro", "-n", "bookinfo"]);
    expect(table).toMatch(/ratings\s+Progressing\s+v1\s+v2\s+10/);
    const obj = YAML.parse(await kubectl.ok(["get", "vmro", "ratings", "-n", "bookinfo", "-o", "yaml"])) as { status: { observedGeneration: number }; spec: unknown };
    expect(obj.status.observedGeneration).toBe(1);
    const events = await kubectl.ok(["get", "events", "-n", "bookinfo", "--field-selector", "involvedObject.name=ratings", "-o", "json"]);
    const items = (JSON.parse(events) as { items: Array<{ reason: string; involvedObject: { kind: string } }> }).items;
    expect(items.filter((e) => e.reason === "WeightsSet")).toHaveLength(1);
    expect(items[0]?.involvedObject.kind).toBe("VMRollout");
    // The spec is untouched: as applied, plus the CRD's defaults the API server filled in.
    const spec = YAML.parse(await readFile(join(root, "test/fixtures/rollouts/ratings.yaml"), "utf8")) as { spec: { steps: Array<Record<string, unknown>> } };
    const defaulted = { ...spec.spec, revisionHistoryLimit: 2, steps: spec.spec.steps.map((s) => (s.approval ? { ...s, approval: { onTimeout: "reject", ...(s.approval as object) } } : s)) };
    expect(obj.spec).toEqual(defaulted);
  });

  it("leaves a missing rollout alone", async () => {
    const service = createService({ rollouts: kubeRollouts(sim.kubeConfig()), maxAttempts: 3 });
    const cmd = message(Command.statusWrite, {
      id: "bookinfo/gone/v2:1",
      occurredAt: "2026-11-22T00:00:10Z",
      data: { rollout: { namespace: "bookinfo", name: "gone" }, status: { phase: "Progressing" } },
    });
    expect(await service.handle(cmd)).toBe("rollout-missing");
  });
});
