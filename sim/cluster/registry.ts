// The served resource types: built-in core/apiextensions types, plus one entry per CustomResourceDefinition
// in the store (so any created CRD is served, and applying a CRD over a pre-registered one updates it).
import { NameRule } from "./validation.js";
import { extraTypes } from "./extra-resources.js";
import { isObject } from "./types.js";
import type { KubeObject } from "./types.js";

/** An additionalPrinterColumns entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** One served resource (all its versions share one storage). */
export interface ResourceType {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  statusSubresource: boolean;
  nameRule: NameRule;
  /** Built into the server (core, apiextensions) rather than defined by a CRD. */
  builtin: boolean;
  /** CRD printer columns per version (built-in types have hand-written tables). */
  printerColumns: Record<string, PrinterColumn[]>;
  /** CRD openAPIV3Schema per version, when the CRD has one. */
  schemas: Record<string, unknown>;
  /** Field selector labels beyond metadata.name and metadata.namespace. */
  fieldLabels: string[];
}

/** `group/version` or `version` for the core group. */
export function groupVersion(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
  if (pa) return -1;
  if (pb) return 1;
  return a.localeCompare(b);
}

function core(
  plural: string,
  kind: string,
  opts: Partial<ResourceType> & { group?: string; version?: string } = {},
): ResourceType {
  const { version = "v1", group = "", ...rest } = opts;
  return {
    group,
    versions: [version],
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: true,
    statusSubresource: false,
    nameRule: NameRule.subdomain,
    builtin: true,
    printerColumns: {},
    schemas: {},
    fieldLabels: [],
    ...rest,
  };
}

/** The built-in types: a read-mostly slice of core/v1 plus apiextensions.k8s.io/v1 CRDs. */
export const builtinTypes: readonly ResourceType[] = [
  core("namespaces", "Namespace", {
    namespaced: false,
    shortNames: ["ns"],
    statusSubresource: true,
    nameRule: NameRule.label,
    fieldLabels: ["status.phase"],
  }),
  core("services", "Service", { shortNames: ["svc"], categories: ["all"], statusSubresource: true, nameRule: NameRule.dns1035 }),
  core("events", "Event", {
    shortNames: ["ev"],
    fieldLabels: [
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "source",
      "type",
    ],
  }),
  core("pods", "Pod", {
    shortNames: ["po"],
    categories: ["all"],
    statusSubresource: true,
    fieldLabels: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
  }),
  core("nodes", "Node", { namespaced: false, shortNames: ["no"], statusSubresource: true, fieldLabels: ["spec.unschedulable"] }),
  core("customresourcedefinitions", "CustomResourceDefinition", {
    group: "apiextensions.k8s.io",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    statusSubresource: true,
  }),
];

/** The resource type a CustomResourceDefinition object describes. */
export function typeFromCrd(crd: KubeObject): ResourceType {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const versions = (Array.isArray(spec.versions) ? spec.versions : []).filter(isObject).filter((v) => v.served !== false);
  const kind = String(names.kind ?? "");
  const printerColumns: Record<string, PrinterColumn[]> = {};
  const schemas: Record<string, unknown> = {};
  let statusSubresource = false;
  for (const v of versions) {
    const name = String(v.name);
    printerColumns[name] = (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []) as PrinterColumn[];
    const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (schema !== undefined) schemas[name] = schema;
    if (isObject(v.subresources) && v.subresources.status !== undefined) statusSubresource = true;
  }
  const str = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  return {
    group: String(spec.group ?? ""),
    versions: versions.map((v) => String(v.name)).sort(compareVersions),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    plural: String(names.plural ?? ""),
    singular: String(names.singular ?? kind.toLowerCase()),
    shortNames: str(names.shortNames),
    categories: str(names.categories),
    namespaced: spec.scope !== "Cluster",
    statusSubresource,
    nameRule: NameRule.subdomain,
    builtin: false,
    printerColumns,
    schemas,
    fieldLabels: [],
  };
}

/** The served types, looked up by path segments or by the names kubectl accepts. */
export interface Registry {
  all(): ResourceType[];
  /** The type served at /apis/<group>/<version>/<plural> (or /api/v1/<plural>). */
  find(group: string, version: string, plural: string): ResourceType | undefined;
  /** The type with this group and plural, whatever the version. */
  byGroupResource(group: string, plural: string): ResourceType | undefined;
  /** A plural, singular, short name or kind, optionally `.group`-qualified (`vs`, `virtualservices.networking.istio.io`). */
  resolve(name: string): ResourceType | undefined;
  /** Served group names with their versions (preferred first), core group excluded. */
  groups(): Array<{ name: string; versions: string[] }>;
  /** Adds or replaces the type a CRD defines. */
  upsertCrd(crd: KubeObject): ResourceType;
  /** Stops serving the type a CRD defined. */
  removeCrd(crd: KubeObject): void;
}

/** A registry holding the built-in types; CRD types are added as CRDs are written. */
export function createRegistry(): Registry {
  const types = new Map<string, ResourceType>();
  const key = (group: string, plural: string): string => `${plural}.${group}`;
  for (const t of [...builtinTypes, ...extraTypes]) types.set(key(t.group, t.plural), t);
  return {
    all: () => [...types.values()],
    find(group, version, plural) {
      const t = types.get(key(group, plural));
      return t?.versions.includes(version) ? t : undefined;
    },
    byGroupResource: (group, plural) => types.get(key(group, plural)),
    resolve(name) {
      const lower = name.toLowerCase();
      const dot = lower.indexOf(".");
      const [base, group] = dot < 0 ? [lower, undefined] : [lower.slice(0, dot), lower.slice(dot + 1)];
      const candidates = [...types.values()].filter((t) => group === undefined || t.group === group);
      const matchers: Array<(t: ResourceType) => boolean> = [
        (t) => t.plural === base,
        (t) => t.singular === base,
        (t) => t.shortNames.includes(base),
        (t) => t.kind.toLowerCase() === base,
      ];
      for (const m of matchers) {
        const hit = candidates.filter(m).sort((a, b) => Number(b.builtin && b.group === "") - Number(a.builtin && a.group === ""));
        if (hit[0]) return hit[0];
      }
      return undefined;
    },
    groups() {
      const byGroup = new Map<string, Set<string>>();
      for (const t of types.values()) {
        if (t.group === "") continue;
        const set = byGroup.get(t.group) ?? new Set<string>();
        for (const v of t.versions) set.add(v);
        byGroup.set(t.group, set);
      }
      return [...byGroup.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
    },
    upsertCrd(crd) {
      const t = typeFromCrd(crd);
      types.set(key(t.group, t.plural), t);
      return t;
    },
    removeCrd(crd) {
      const t = typeFromCrd(crd);
      const existing = types.get(key(t.group, t.plural));
      if (existing && !existing.builtin) types.delete(key(t.group, t.plural));
    },
  };
}
