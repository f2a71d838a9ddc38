// `siskin route plan`: shows, without a cluster, what Siskin would write into a VirtualService for
// a canary weight. The logic is `runRoutePlan` (testable, no process access); `register` wires it.
import { readFileSync } from "node:fs";
import { CommanderError, type Command } from "commander";
import YAML, { isSeq, type Document } from "yaml";
import type { HeaderValueMatch, RouteMatch } from "../../../schemas/rollout.js";
import {
  checkSubsetsExist,
  planTraffic,
  PlanErrorCode,
  shortHost,
  type DestinationRule,
  type PlanError,
  type RouteSelection,
  type Split,
  type VirtualService,
} from "../../traffic-router/plan.js";

/** Options of `siskin route plan`, as commander hands them over (strings, lists for repeatable flags). */
export interface RoutePlanOptions {
  vs?: string;
  name?: string;
  dr?: string;
  by?: string;
  stable?: string;
  canary?: string;
  weight?: string;
  routes?: string[];
  tlsPort?: string;
  sni?: string[];
  tcpPort?: string[];
  host?: string;
  output?: string;
  /** Mirror step: percent of requests copied to the canary. */
  mirror?: string;
  /** Matched step: `name=value` (exact), `name^=prefix`, `name~=regex`; repeatable (ORed). */
  matchHeader?: string[];
  /** Matched step: `name=value` cookies; repeatable (ORed). */
  matchCookie?: string[];
}

/** What the command prints and its exit code (0 ok, 2 usage or plan error). */
export interface RoutePlanOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

/** Exit code of every `route plan` failure: bad flags, unreadable input, or a plan error. */
export const ROUTE_PLAN_ERROR_EXIT = 2;

type Loaded = { doc: Document.Parsed; obj: Record<string, unknown> };
type Step<T> = { ok: true; value: T } | { ok: false; message: string };

const failed = (message: string): RoutePlanOutcome => ({ stdout: "", stderr: `route plan: ${message}\n`, code: ROUTE_PLAN_ERROR_EXIT });
const planFailed = (e: PlanError): RoutePlanOutcome => failed(`${e.code}: ${e.message}`);

function parsePort(flag: string, v: string, errors: string[]): number | undefined {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
    errors.push(`${flag} must be a port 1..65535, got "${v}"`);
    return undefined;
  }
  return Number(v);
}

/** Checks the flags and turns them into a selection; every problem is listed, not just the first. */
/** `x-canary=always` (exact), `x-version^=v2` (prefix), `x-user~=.*@corp` (regex). */
function parseHeaderMatch(spec: string, errors: string[]): RouteMatch | undefined {
  const m = /^([^=^~]+)(\^=|~=|=)(.+)$/.exec(spec);
  if (m === null) {
    errors.push(`--match-header must be NAME=VALUE, NAME^=PREFIX or NAME~=REGEX, got "${spec}"`);
    return undefined;
  }
  const name = (m[1] ?? "").trim().toLowerCase();
  const value = m[3] ?? "";
  const sm: HeaderValueMatch = m[2] === "^=" ? { prefix: value } : m[2] === "~=" ? { regex: value } : { exact: value };
  return { headers: { [name]: sm } };
}

function parseExtras(o: RoutePlanOptions, errors: string[]): { mirror?: { percentage: number }; match?: RouteMatch[] } {
  const out: { mirror?: { percentage: number }; match?: RouteMatch[] } = {};
  if (o.mirror !== undefined) {
    const p = /^[0-9]+(\.[0-9]+)?$/.test(o.mirror) ? Number(o.mirror) : Number.NaN;
    if (!(p > 0 && p <= 100)) errors.push(`--mirror must be a percentage above 0 and at most 100, got "${o.mirror}"`);
    else out.mirror = { percentage: p };
  }
  const match: RouteMatch[] = [];
  for (const h of (o.matchHeader ?? []).filter((x) => x !== "")) {
    const m = parseHeaderMatch(h, errors);
    if (m !== undefined) match.push(m);
  }
  for (const c of (o.matchCookie ?? []).filter((x) => x !== "")) {
    const eq = c.indexOf("=");
    if (eq <= 0 || eq === c.length - 1) errors.push(`--match-cookie must be NAME=VALUE, got "${c}"`);
    else match.push({ cookie: { name: c.slice(0, eq), value: c.slice(eq + 1) } });
  }
  if (match.length > 0) out.match = match;
  if (out.mirror !== undefined && out.match !== undefined) errors.push("--mirror and --match-header/--match-cookie are two different steps; give one of them");
  return out;
}

function parseFlags(o: RoutePlanOptions): Step<{ selection: RouteSelection; weight: number; output: "yaml" | "patch"; extras: { mirror?: { percentage: number }; match?: RouteMatch[] } }> {
  const errors: string[] = [];
  const extras = parseExtras(o, errors);
  const stepOnly = extras.mirror !== undefined || extras.match !== undefined;
  if (!o.vs) errors.push("--vs FILE is required (a YAML file holding the VirtualService)");
  if (!o.stable) errors.push("--stable NAME is required (the stable subset, or host with --by host)");
  if (!o.canary) errors.push("--canary NAME is required (the canary subset, or host with --by host)");
  const weight = o.weight === undefined && stepOnly ? 0 : o.weight !== undefined && /^[0-9]{1,3}$/.test(o.weight) ? Number(o.weight) : Number.NaN;
  if (o.weight === undefined && !stepOnly) errors.push("--weight N is required (canary percent, an integer 0..100), unless --mirror or --match-header/--match-cookie is given");
  else if (!(weight >= 0 && weight <= 100)) errors.push(`--weight must be an integer 0..100, got "${o.weight}"`);
  else if (stepOnly && weight !== 0) errors.push(`--weight ${weight} with --mirror/--match-*: a mirror or matched step gives the canary no user traffic; drop --weight`);
  const by = o.by ?? "subset";
  let split: Split | undefined;
  if (by === "subset") split = { by, stableSubset: o.stable ?? "", canarySubset: o.canary ?? "", ...(o.host ? { host: o.host } : {}) };
  else if (by === "host") split = { by, stableHost: o.stable ?? "", canaryHost: o.canary ?? "" };
  else errors.push(`--by must be "subset" or "host", got "${by}"`);
  if (by === "host" && o.host) errors.push("--host only applies to --by subset (with --by host, --stable and --canary are the hosts)");
  if (by === "host" && o.dr) errors.push("--dr only applies to --by subset (a host split uses no DestinationRule subsets)");
  const output = o.output ?? "yaml";
  if (output !== "yaml" && output !== "patch") errors.push(`--output must be "yaml" or "patch", got "${output}"`);
  const sni = (o.sni ?? []).filter((s) => s !== "");
  const tlsPort = o.tlsPort === undefined ? undefined : parsePort("--tls-port", o.tlsPort, errors);
  const tcpPorts = (o.tcpPort ?? []).map((p) => parsePort("--tcp-port", p, errors));
  if (errors.length > 0 || split === undefined) return { ok: false, message: errors.join("\n  ") };
  const selection: RouteSelection = { split };
  const routes = (o.routes ?? []).filter((r) => r !== "");
  if (routes.length > 0) selection.httpRoutes = routes;
  if (o.tlsPort !== undefined || sni.length > 0) selection.tlsRoutes = [{ ...(tlsPort !== undefined ? { port: tlsPort } : {}), sniHosts: sni }];
  if (tcpPorts.length > 0) selection.tcpRoutes = tcpPorts.map((port) => ({ port: port ?? 0 }));
  return { ok: true, value: { selection, weight, output: output === "patch" ? "patch" : "yaml", extras } };
}

function loadYaml(flag: string, file: string, readFile: (path: string) => string): Step<Loaded[]> {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    return { ok: false, message: `cannot read ${flag} ${file}: ${(err as Error).message}` };
  }
  const parsed = YAML.parseAllDocuments(text);
  const docs = Array.isArray(parsed) ? parsed : [];
  const out: Loaded[] = [];
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first) return { ok: false, message: `${flag} ${file} is not valid YAML: ${first.message}` };
    const obj: unknown = doc.toJS();
    if (typeof obj === "object" && obj !== null && !Array.isArray(obj)) out.push({ doc, obj: obj as Record<string, unknown> });
  }
  return { ok: true, value: out };
}

function refOf(obj: Record<string, unknown>): string {
  const m = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return m.namespace ? `${m.namespace}/${m.name ?? "(unnamed)"}` : (m.name ?? "(unnamed)");
}

/** Picks the VirtualService of a multi-document file, by `--name` (`name` or `ns/name`) when there are several. */
function pickVirtualService(docs: Loaded[], file: string, name: string | undefined): Step<Loaded> {
  const all = docs.filter((d) => d.obj.kind === "VirtualService");
  const names = all.map((d) => refOf(d.obj)).join(", ");
  if (all.length === 0) return { ok: false, message: `--vs ${file} holds no VirtualService (kind: VirtualService)` };
  const match = name === undefined ? all : all.filter((d) => refOf(d.obj) === name || (d.obj.metadata as { name?: string } | undefined)?.name === name);
  if (match.length === 1 && match[0]) return { ok: true, value: match[0] };
  if (name === undefined) return { ok: false, message: `--vs ${file} holds ${all.length} VirtualServices (${names}); choose one with --name` };
  if (match.length === 0) return { ok: false, message: `--vs ${file} holds no VirtualService named "${name}" (it holds: ${names}); fix --name` };
  return { ok: false, message: `--name "${name}" matches ${match.length} VirtualServices in ${file} (${names}); use --name NAMESPACE/NAME` };
}

/** Applies the planned patch to the parsed document, so comments and formatting survive. */
function renderYaml(doc: Document.Parsed, patch: ReadonlyArray<{ op: string; path: string; value?: unknown }>): string {
  for (const op of patch) {
    if (op.op !== "add" && op.op !== "replace" && op.op !== "remove") continue;
    const path = op.path.split("/").slice(1).map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
    const last = path.at(-1);
    if (op.op === "remove") doc.deleteIn(path);
    // "-" appends to a list (a new version's destination); a number inserts into one (a matched route).
    else if (op.op === "add" && last === "-") doc.addIn(path.slice(0, -1), op.value);
    else if (op.op === "add" && typeof last === "number") {
      const seq = doc.getIn(path.slice(0, -1), true);
      if (isSeq(seq)) seq.items.splice(last, 0, doc.createNode(op.value));
      else doc.setIn(path, op.value);
    } else doc.setIn(path, op.value);
  }
  return doc.toString();
}

/** `siskin route plan` without process access: flags + a file reader in, printed text and exit code out. */
export function runRoutePlan(opts: RoutePlanOptions, readFile: (path: string) => string): RoutePlanOutcome {
  const flags = parseFlags(opts);
  if (!flags.ok) return failed(`bad flags:\n  ${flags.message}\nsee: siskin route plan --help`);
  const { selection, weight, output, extras } = flags.value;
  const vsFile = opts.vs ?? "";
  const vsDocs = loadYaml("--vs", vsFile, readFile);
  if (!vsDocs.ok) return failed(vsDocs.message);
  const picked = pickVirtualService(vsDocs.value, vsFile, opts.name);
  if (!picked.ok) return failed(picked.message);
  const vs = picked.value.obj as unknown as VirtualService;
  const plan = planTraffic({ ...selection, vs, canaryWeight: weight, ...extras });
  if (!plan.ok) return planFailed(plan.error);

  if (opts.dr !== undefined && selection.split.by === "subset") {
    const drDocs = loadYaml("--dr", opts.dr, readFile);
    if (!drDocs.ok) return failed(drDocs.message);
    const all = drDocs.value.map((d) => d.obj as unknown as DestinationRule).filter((d) => d.kind === "DestinationRule");
    const hosts = [...new Set(plan.routes.map((r) => shortHost(selection.split.by === "subset" && selection.split.host ? selection.split.host : r.stableHost)))];
    for (const host of hosts) {
      const drs = all.filter((d) => typeof d.spec?.host === "string" && shortHost(d.spec.host) === host);
      if (drs.length === 0) {
        const have = all.map((d) => `${refOf(d)} (host ${d.spec?.host ?? "?"})`).join(", ") || "none";
        return failed(`${PlanErrorCode.subsetNotInDr}: --dr ${opts.dr} holds no DestinationRule for host "${host}" (it holds: ${have}); pass the file with that host's DestinationRule`);
      }
      for (const dr of drs) {
        const check = checkSubsetsExist(dr, [selection.split.stableSubset, selection.split.canarySubset]);
        if (!check.ok) return planFailed(check.error);
      }
    }
  }

  if (output === "patch") return { stdout: `${JSON.stringify(plan.patch, null, 2)}\n`, stderr: "", code: 0 };
  const step = plan.mirror !== null ? `mirror ${plan.mirror.percentage}% to the canary, canary weight 0%` : extras.match !== undefined ? `matched requests to the canary (${plan.matchedRoutes.join(", ")}), canary weight 0% for the rest` : `canary ${weight}%`;
  const header = [
    `# siskin route plan: VirtualService ${refOf(picked.value.obj)}, ${step}${plan.changed ? "" : " (already in place: no change)"}`,
    ...plan.routes.map((r) => `#   spec.${r.kind}[${r.index}]${r.name !== undefined ? ` "${r.name}"` : ""}: stable ${r.stableWeight} / canary ${r.canaryWeight}`),
  ];
  return { stdout: `${header.join("\n")}\n${renderYaml(picked.value.doc, plan.patch)}`, stderr: "", code: 0 };
}

const collectRaw = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(",").map((s) => s.trim())];

/** Adds `siskin route plan` (and the `route` group, if no other command added it). */
export function register(program: Command): void {
  const route =
    program.commands.find((c) => c.name() === "route") ??
    program.command("route").description("VirtualService traffic routes: plan weight changes");
  route
    .command("plan")
    .description("Print the VirtualService with the canary weight applied (no cluster needed); exit 2 on error")
    .option("--vs <file>", "YAML file holding the VirtualService (several documents allowed)")
    .option("--name <name>", "VirtualService name (or namespace/name) when the file holds several")
    .option("--dr <file>", "YAML file holding the DestinationRule; a missing subset is an error")
    .option("--by <mode>", "split between two subsets of one host, or between two hosts: subset | host", "subset")
    .option("--stable <name>", "stable subset (or host with --by host)")
    .option("--canary <name>", "canary subset (or host with --by host)")
    .option("--weight <n>", "canary percent, an integer 0..100; stable gets the rest")
    .option("--mirror <percent>", "mirror step: copy this percent of the requests to the canary (weight stays 0)")
    .option("--match-header <cond>", "matched step: NAME=VALUE, NAME^=PREFIX or NAME~=REGEX (repeatable, ORed)", collectRaw)
    .option("--match-cookie <cond>", "matched step: cookie NAME=VALUE (repeatable, ORed)", collectRaw)
    .option("--routes <names>", "http route names to shift (comma list or repeated)", collect)
    .option("--tls-port <port>", "select tls routes on this port (with --sni)")
    .option("--sni <host>", "select tls routes with exactly these SNI hosts (comma list or repeated)", collect)
    .option("--tcp-port <port>", "select tcp routes on this port (comma list or repeated)", collect)
    .option("--host <host>", "with --by subset: only destinations of this host count")
    .option("-o, --output <format>", "yaml (the planned VirtualService) | patch (RFC 6902 JSON patch)", "yaml")
    .exitOverride((err) => {
      // Usage errors exit 2 like plan errors; help and version keep commander's own code.
      if (err.exitCode === 0) throw err;
      throw new CommanderError(ROUTE_PLAN_ERROR_EXIT, err.code, err.message);
    })
    .action((opts: RoutePlanOptions) => {
      const out = runRoutePlan(opts, (path) => readFileSync(path, "utf8"));
      process.stdout.write(out.stdout);
      if (out.code !== 0) throw new CommanderError(out.code, "siskin.route.plan", out.stderr.trimEnd());
    });
}
