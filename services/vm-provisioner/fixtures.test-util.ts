// Test support: rollout specs built from the upstream KubeVirt VMIs (the Istio user-guide VMI as the
// good shape; the masquerade example and the Harvester bridge VMI as bad shapes).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { PreflightInput } from "./preflight.js";
import type { DestinationRule, Namespace, Service } from "./vm-types.js";

const root = fileURLToPath(new URL("../../test/fixtures/upstream/kubevirt/", import.meta.url));

interface Doc {
  kind?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function docs(file: string): Doc[] {
  const text = readFileSync(`${root}${file}`, "utf8");
  if (file.endsWith(".json")) return [JSON.parse(text) as Doc];
  return YAML.parseAllDocuments(text).map((d) => d.toJS() as Doc).filter((d) => d !== null && typeof d === "object");
}

/** The VMI of an upstream fixture as a VMRollout `vmTemplate`. */
export function templateFrom(file: "vmi-istio-user-guide.yaml" | "vmi-masquerade-example.yaml" | "vmi-running-harvester.json"): VMRolloutSpec["vmTemplate"] {
  const vmi = docs(file).find((d) => d.kind === "VirtualMachineInstance");
  if (vmi === undefined) throw new Error(`${file}: no VirtualMachineInstance`);
  const metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } = {};
  if (vmi.metadata?.labels) metadata.labels = vmi.metadata.labels;
  if (vmi.metadata?.annotations) metadata.annotations = vmi.metadata.annotations;
  return { metadata, spec: structuredClone(vmi.spec ?? {}) };
}

/** The user guide's Service `vmi-istio` (selector app: vmi-istio). */
export function userGuideService(): Service {
  const svc = docs("vmi-istio-user-guide.yaml").find((d) => d.kind === "Service");
  if (svc === undefined) throw new Error("vmi-istio-user-guide.yaml: no Service");
  return { ...svc, metadata: { ...svc.metadata, name: "vmi-istio", namespace: "shop" } } as Service;
}

/** A rollout spec for service `vmi-istio` with the given template. */
export function specWith(vmTemplate: VMRolloutSpec["vmTemplate"], extra: Partial<VMRolloutSpec> = {}): VMRolloutSpec {
  return {
    service: "vmi-istio",
    virtualService: { name: "vmi-istio" },
    destinationRule: { name: "vmi-istio" },
    stableVersion: "v1",
    vmTemplate,
    ...extra,
  };
}

/** A DestinationRule for `vmi-istio` with a subset per version given. */
export function destinationRule(...versions: string[]): DestinationRule {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: "vmi-istio", namespace: "shop" },
    spec: { host: "vmi-istio", subsets: versions.map((v) => ({ name: v, labels: { version: v } })) },
  };
}

/** A namespace `shop` with the given labels. */
export function namespace(labels: Record<string, string> = { "istio-injection": "enabled" }): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels } };
}

/** A passing preflight input: the user guide's VMI, Service, a DR with subset v1, an injected namespace. */
export function goodInput(overrides: Partial<PreflightInput> = {}): PreflightInput {
  return {
    spec: specWith(templateFrom("vmi-istio-user-guide.yaml"), { image: "registry:5000/kubevirt/fedora-cloud-container-disk-demo" }),
    version: "v2",
    rollout: { namespace: "shop", name: "vmi-istio" },
    service: userGuideService(),
    destinationRule: destinationRule("v1"),
    namespace: namespace(),
    ...overrides,
  };
}
