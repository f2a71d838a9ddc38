// `as=Table` responses, as kubectl get asks for them: CRD printer columns, and the core printers' columns
// for the built-in types. Age cells are computed here, with the simulator's clock.
import { findJsonPath } from "./jsonpath.js";
import { isObject } from "./types.js";
import type { KubeObject } from "./types.js";
import type { ResourceType } from "./registry.js";

/** A Table column definition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** A meta.k8s.io/v1 Table. */
export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: Array<{ cells: unknown[]; object: Record<string, unknown> }>;
}

/** duration.HumanDuration of apimachinery. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

type Cell = (o: KubeObject, now: number) => unknown;
type Col = [name: string, type: string, cell: Cell, priority?: number, format?: string];

const age = (ts: unknown, now: number): string => (typeof ts === "string" ? humanDuration(now - Date.parse(ts)) : "<unknown>");
const path = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((n, k) => (isObject(n) ? n[k] : undefined), o);
const str = (v: unknown, dflt = "<none>"): string => (v === undefined || v === null || v === "" ? dflt : String(v));
const nameCol: Col = ["Name", "string", (o) => o.metadata.name ?? "", 0, "name"];
const ageCol: Col = ["Age", "string", (o, now) => age(o.metadata.creationTimestamp, now)];

const builtinColumns: Record<string, Col[]> = {
  "namespaces.": [nameCol, ["Status", "string", (o) => str(path(o, "status", "phase"), "")], ageCol],
  "services.": [
    nameCol,
    ["Type", "string", (o) => str(path(o, "spec", "type"), "ClusterIP")],
    ["Cluster-IP", "string", (o) => str(path(o, "spec", "clusterIP"))],
    ["External-IP", "string", () => "<none>"],
    [
      "Port(s)",
      "string",
      (o) => {
        const ports = path(o, "spec", "ports");
        if (!Array.isArray(ports) || ports.length === 0) return "<none>";
        return ports.filter(isObject).map((p) => `${String(p.port)}/${String(p.protocol ?? "TCP")}`).join(",");
      },
    ],
    ageCol,
    ["Selector", "string", (o) => {
      const sel = path(o, "spec", "selector");
      return isObject(sel) ? Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`).join(",") || "<none>" : "<none>";
    }, 1],
  ],
  "pods.": [
    nameCol,
    ["Ready", "string", (o) => {
      const cs = path(o, "status", "containerStatuses");
      const total = Array.isArray(path(o, "spec", "containers")) ? (path(o, "spec", "containers") as unknown[]).length : 0;
      const ready = Array.isArray(cs) ? cs.filter((c) => isObject(c) && c.ready === true).length : 0;
      return `${ready}/${total}`;
    }],
    ["Status", "string", (o) => str(path(o, "status", "reason"), str(path(o, "status", "phase"), "Pending"))],
    ["Restarts", "string", () => "0"],
    ageCol,
    ["IP", "string", (o) => str(path(o, "status", "podIP")), 1],
    ["Node", "string", (o) => str(path(o, "spec", "nodeName")), 1],
    ["Nominated Node", "string", () => "<none>", 1],
    ["Readiness Gates", "string", () => "<none>", 1],
  ],
  "events.": [
    ["Last Seen", "string", (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp, now)],
    ["Type", "string", (o) => str(o.type, "")],
    ["Reason", "string", (o) => str(o.reason, "")],
    ["Object", "string", (o) => `${String(path(o, "involvedObject", "kind") ?? "").toLowerCase()}/${String(path(o, "involvedObject", "name") ?? "")}`],
    ["Subobject", "string", (o) => str(path(o, "involvedObject", "fieldPath"), ""), 1],
    ["Source", "string", (o) => [path(o, "source", "component"), path(o, "source", "host")].filter((v) => v).join(", "), 1],
    ["Message", "string", (o) => str(o.message, "")],
    ["First Seen", "string", (o, now) => age(o.firstTimestamp ?? o.metadata.creationTimestamp, now), 1],
    ["Count", "integer", (o) => (typeof o.count === "number" ? o.count : 1), 1],
    ["Name", "string", (o) => o.metadata.name ?? "", 1, "name"],
  ],
  "nodes.": [
    nameCol,
    ["Status", "string", (o) => {
      const conds = path(o, "status", "conditions");
      const ready = Array.isArray(conds) ? conds.find((c) => isObject(c) && c.type === "Ready") : undefined;
      return isObject(ready) && ready.status === "True" ? "Ready" : "NotReady";
    }],
    ["Roles", "string", () => "<none>"],
    ageCol,
    ["Version", "string", (o) => str(path(o, "status", "nodeInfo", "kubeletVersion"), "")],
  ],
  "customresourcedefinitions.apiextensions.k8s.io": [nameCol, ["Created At", "date", (o) => o.metadata.creationTimestamp ?? ""]],
};

function crdColumns(type: ResourceType, version: string): Col[] {
  const extra = type.printerColumns[version] ?? [];
  if (extra.length === 0) return [nameCol, ageCol];
  return [
    nameCol,
    ...extra.map<Col>((c) => [
      c.name,
      c.type,
      (o, now) => {
        const found = findJsonPath(o, c.jsonPath);
        const v = found[0];
        if (v === undefined || v === null) return null;
        if (c.type === "date") return age(v, now);
        if (typeof v === "object") return JSON.stringify(v);
        if (c.type === "integer" || c.type === "number") return typeof v === "number" ? v : Number(v);
        return c.type === "boolean" ? v === true || v === "true" : String(v);
      },
      c.priority ?? 0,
      c.format ?? "",
    ]),
  ];
}

/** Renders objects as a Table; `includeObject` is None, Metadata (default) or Object. */
export function toTable(
  type: ResourceType,
  version: string,
  items: KubeObject[],
  now: number,
  opts: { includeObject?: string; listMeta?: Table["metadata"]; withColumns?: boolean } = {},
): Table {
  const cols = type.builtin ? (builtinColumns[`${type.plural}.${type.group}`] ?? [nameCol, ageCol]) : crdColumns(type, version);
  const include = opts.includeObject ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: opts.listMeta ?? {},
    columnDefinitions:
      opts.withColumns === false
        ? []
        : cols.map(([name, t, , priority, format]) => ({ name, type: t, format: format ?? "", description: name, priority: priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cols.map(([, , cell]) => cell(o, now)),
      object:
        include === "Object"
          ? o
          : include === "None"
            ? {}
            : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
