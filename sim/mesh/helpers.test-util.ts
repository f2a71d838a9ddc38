// Test helpers: upstream Istio fixtures as objects, and VMI/Service builders. Used by the unit tests only.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import type { DestinationRule, MeshObjects, Service, VirtualService, Vmi } from "./types.js";

const upstreamDir = fileURLToPath(new URL("../../test/fixtures/upstream/", import.meta.url));

/** The documents of an upstream fixture file; objects without a namespace get "default" (as kubectl apply would). */
export function loadUpstream(relPath: string): Array<Record<string, unknown> & { kind?: string; metadata: { name?: string; namespace?: string } }> {
  const text = readFileSync(`${upstreamDir}${relPath}`, "utf8");
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null && typeof d === "object")
    .map((d) => {
      const metadata = { ...(d["metadata"] as Record<string, unknown>) };
      metadata["namespace"] ??= "default";
      return { ...d, metadata } as Record<string, unknown> & { metadata: { name?: string; namespace?: string } };
    });
}

/** The VirtualServices and DestinationRules of fixture files. */
export function istioObjects(...files: string[]): { virtualServices: VirtualService[]; destinationRules: DestinationRule[] } {
  const docs = files.flatMap(loadUpstream);
  return {
    virtualServices: docs.filter((d) => d.kind === "VirtualService") as unknown as VirtualService[],
    destinationRules: docs.filter((d) => d.kind === "DestinationRule") as unknown as DestinationRule[],
  };
}

/** Options of {@link vmi}. */
export interface VmiOptions {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ready?: boolean;
  phase?: string;
  readySince?: string;
  node?: string;
  migrating?: boolean;
}

/** A VMI as KubeVirt reports it: Running and Ready by default. */
export function vmi(name: string, o: VmiOptions = {}): Vmi {
  const ready = o.ready ?? true;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name, namespace: o.namespace ?? "default", uid: `uid-${name}`, labels: o.labels ?? {}, annotations: o.annotations ?? {} },
    status: {
      phase: o.phase ?? "Running",
      nodeName: o.node ?? "node-1",
      conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: o.readySince ?? "2026-01-01T00:00:00Z" }],
      migrationState: o.migrating === true ? { startTimestamp: "2026-01-01T00:00:10Z", sourceNode: "node-1", targetNode: "node-2" } : undefined,
    },
  };
}

/** A Service selecting `selector` in a namespace. */
export function service(name: string, selector: Record<string, string>, namespace = "default"): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { selector } };
}

/** A cluster view from parts. */
export function objects(parts: Partial<MeshObjects>): MeshObjects {
  return { virtualServices: [], destinationRules: [], vmis: [], services: [], pods: [], ...parts };
}
