import { describe, expect, it } from "vitest";
import { trackManagedFields } from "./managed-fields.js";
import type { KubeObject } from "./types.js";

const vs = (over: { labels?: Record<string, string>; weights?: number[]; timeout?: string } = {}): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "ratings", namespace: "shop", resourceVersion: "1", ...(over.labels === undefined ? {} : { labels: over.labels }) },
  spec: { hosts: ["ratings"], http: [{ route: (over.weights ?? [100]).map((w, i) => ({ destination: { host: "ratings", subset: `v${i + 1}` }, weight: w })), ...(over.timeout === undefined ? {} : { timeout: over.timeout }) }] },
});
const at = Date.parse("2026-01-01T00:00:00Z");
const owners = (o: KubeObject) => Object.fromEntries(((o.metadata.managedFields ?? []) as Array<{ manager: string; fieldsV1: unknown }>).map((e) => [e.manager, e.fieldsV1]));

function write(prev: KubeObject | null, next: KubeObject, manager: string | undefined): KubeObject {
  const out = structuredClone(next);
  const m = trackManagedFields(prev, out, manager, "networking.istio.io/v1", at);
  if (m === undefined) delete out.metadata.managedFields;
  else out.metadata.managedFields = m;
  return out;
}

describe("managedFields (Update operations)", () => {
  it("a create owns every field it set; arrays are atomic", () => {
    const o = write(null, vs({ labels: { app: "ratings" } }), "kubectl-create");
    expect(owners(o)).toEqual({ "kubectl-create": { "f:metadata": { "f:name": {}, "f:namespace": {}, "f:labels": { "f:app": {} } }, "f:spec": { "f:hosts": {}, "f:http": {} } } });
  });

  it("a write takes the fields it changed from other managers, and leaves the rest to them", () => {
    const created = write(null, vs(), "kubectl-create");
    const labelled = write(created, { ...vs({ labels: { team: "ratings" } }), metadata: { ...created.metadata, labels: { team: "ratings" } } }, "kubectl-edit");
    const weighted = write(labelled, { ...labelled, spec: vs({ weights: [90, 10] }).spec }, "siskin-traffic-router");
    expect(owners(weighted)).toEqual({
      "kubectl-create": { "f:metadata": { "f:name": {}, "f:namespace": {} }, "f:spec": { "f:hosts": {} } },
      "kubectl-edit": { "f:metadata": { "f:labels": { "f:team": {} } } },
      "siskin-traffic-router": { "f:spec": { "f:http": {} } },
    });
  });

  it("an unchanged write, or one without a manager, changes no entry", () => {
    const created = write(null, vs(), "kubectl-create");
    expect(write(created, structuredClone(created), "other").metadata.managedFields).toEqual(created.metadata.managedFields);
    expect(write(created, { ...created, spec: vs({ timeout: "5s" }).spec }, undefined).metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it("a removed field is owned by nobody", () => {
    const created = write(null, vs({ labels: { a: "1", b: "2" } }), "kubectl-create");
    const removed = write(created, { ...created, metadata: { ...created.metadata, labels: { a: "1" } } }, "kubectl-edit");
    expect(owners(removed)).toEqual({ "kubectl-create": { "f:metadata": { "f:name": {}, "f:namespace": {}, "f:labels": { "f:a": {} } }, "f:spec": { "f:hosts": {}, "f:http": {} } } });
  });
});
