// Discovery documents: /version, /api, /api/v1, /apis and each group-version's APIResourceList.
import { createHash } from "node:crypto";
import { groupVersion } from "./registry.js";
import type { Registry, ResourceType } from "./registry.js";

/** The Kubernetes version the simulator claims (kubectl 1.32 is within the supported skew). */
export const serverVersion = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-sim",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
} as const;

const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const hash = (t: ResourceType): string =>
  createHash("sha256").update(`${t.group}/${t.versions[0] ?? ""}/${t.kind}`).digest("base64").slice(0, 11);

/** `/api`: the core group's versions. */
export function apiVersions(host: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }] };
}

/** `/apis`: every served group with its versions and preferred version. */
export function apiGroupList(registry: Registry): Record<string, unknown> {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.groups().map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.name}/${g.versions[0] ?? ""}`, version: g.versions[0] ?? "" },
    })),
  };
}

/** `/apis/<group>`: one APIGroup, or undefined when the group is not served. */
export function apiGroup(registry: Registry, group: string): Record<string, unknown> | undefined {
  const g = registry.groups().find((x) => x.name === group);
  if (!g) return undefined;
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${g.versions[0] ?? ""}`, version: g.versions[0] ?? "" },
  };
}

/** The APIResourceList of one group-version, or undefined when nothing is served there. */
export function apiResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry
    .all()
    .filter((t) => t.group === group && t.versions.includes(version))
    .sort((a, b) => a.plural.localeCompare(b.plural));
  if (types.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = [];
  for (const t of types) {
    const entry: Record<string, unknown> = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs,
      storageVersionHash: hash(t),
    };
    if (t.shortNames.length > 0) entry.shortNames = t.shortNames;
    if (t.categories.length > 0) entry.categories = t.categories;
    resources.push(entry);
    if (t.statusSubresource) {
      resources.push({ name: `${t.plural}/status`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs: ["get", "patch", "update"] });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources };
}
