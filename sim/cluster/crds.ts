// The CustomResourceDefinitions a KubeVirt + Istio cluster with Siskin installed already has. They are
// stored as real CRD objects, so `kubectl get crd` lists them and applying a CRD over one updates it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import type { KubeObject } from "./types.js";
import type { PrinterColumn } from "./registry.js";

/** The VMRollout CRD exactly as Siskin installs it (generated from schemas/rollout.ts). */
export const vmRolloutCrdPath = join(import.meta.dirname, "..", "..", "infra", "k8s", "crds", "vmrollout.yaml");
const vmRolloutCrd = (): KubeObject => YAML.parse(readFileSync(vmRolloutCrdPath, "utf8")) as KubeObject;

interface CrdSpec {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories?: string[];
  versions: string[];
  storage: string;
  columns: PrinterColumn[];
}

const ageColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

function crd(s: CrdSpec): KubeObject {
  const names: Record<string, unknown> = { kind: s.kind, listKind: `${s.kind}List`, plural: s.plural, singular: s.singular, shortNames: s.shortNames };
  if (s.categories) names.categories = s.categories;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${s.plural}.${s.group}` },
    spec: {
      group: s.group,
      names,
      scope: "Namespaced",
      versions: s.versions.map((v) => ({
        name: v,
        served: true,
        storage: v === s.storage,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        subresources: { status: {} },
        additionalPrinterColumns: s.columns,
      })),
    },
  };
}

const readyColumn = (name = "Ready"): PrinterColumn => ({ name, type: "string", jsonPath: ".status.conditions[?(@.type=='Ready')].status" });

/**
 * The pre-registered CRDs: KubeVirt VM/VMI/VMIM and Istio VirtualService/DestinationRule (permissive
 * schemas), and Siskin's VMRollout with its real structural schema and printer columns.
 */
export const builtinCrds: readonly KubeObject[] = [
  crd({
    group: "kubevirt.io",
    kind: "VirtualMachine",
    plural: "virtualmachines",
    singular: "virtualmachine",
    shortNames: ["vm", "vms"],
    categories: ["all"],
    versions: ["v1"],
    storage: "v1",
    columns: [ageColumn, { name: "Status", type: "string", jsonPath: ".status.printableStatus" }, readyColumn()],
  }),
  crd({
    group: "kubevirt.io",
    kind: "VirtualMachineInstance",
    plural: "virtualmachineinstances",
    singular: "virtualmachineinstance",
    shortNames: ["vmi", "vmis"],
    categories: ["all"],
    versions: ["v1"],
    storage: "v1",
    columns: [
      ageColumn,
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "IP", type: "string", jsonPath: ".status.interfaces[0].ipAddress" },
      { name: "NodeName", type: "string", jsonPath: ".status.nodeName" },
      readyColumn(),
      { name: "Live-Migratable", type: "string", jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status", priority: 1 },
      { name: "Paused", type: "string", jsonPath: ".status.conditions[?(@.type=='Paused')].status", priority: 1 },
    ],
  }),
  crd({
    group: "kubevirt.io",
    kind: "VirtualMachineInstanceMigration",
    plural: "virtualmachineinstancemigrations",
    singular: "virtualmachineinstancemigration",
    shortNames: ["vmim", "vmims"],
    categories: ["all"],
    versions: ["v1"],
    storage: "v1",
    columns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "VMI", type: "string", jsonPath: ".spec.vmiName" },
    ],
  }),
  crd({
    group: "networking.istio.io",
    kind: "VirtualService",
    plural: "virtualservices",
    singular: "virtualservice",
    shortNames: ["vs"],
    categories: ["istio-io", "networking-istio-io"],
    versions: ["v1", "v1beta1", "v1alpha3"],
    storage: "v1",
    columns: [
      { name: "Gateways", type: "string", jsonPath: ".spec.gateways", description: "The names of gateways and sidecars that should apply these routes" },
      { name: "Hosts", type: "string", jsonPath: ".spec.hosts", description: "The destination hosts to which traffic is being sent" },
      ageColumn,
    ],
  }),
  crd({
    group: "networking.istio.io",
    kind: "DestinationRule",
    plural: "destinationrules",
    singular: "destinationrule",
    shortNames: ["dr"],
    categories: ["istio-io", "networking-istio-io"],
    versions: ["v1", "v1beta1", "v1alpha3"],
    storage: "v1",
    columns: [{ name: "Host", type: "string", jsonPath: ".spec.host", description: "The name of a service from the service registry" }, ageColumn],
  }),
  vmRolloutCrd(),
];

/** Fake nodes the VMIs are scheduled on. */
export const defaultNodes = ["node01", "node02", "node03"] as const;

/** A Ready core/v1 Node object. */
export function nodeObject(name: string, index: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubevirt.io/schedulable": "true" } },
    spec: { podCIDR: `10.244.${index}.0/24` },
    status: {
      addresses: [{ type: "InternalIP", address: `192.168.66.${101 + index}` }, { type: "Hostname", address: name }],
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }],
      nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Simulated", architecture: "amd64", operatingSystem: "linux" },
    },
  };
}
