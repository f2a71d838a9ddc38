// Pure traffic planning: which weights to write into a VirtualService, as a new object and as an
// RFC 6902 patch, and how to read them back. No I/O. Like Argo Rollouts, only the weights of the
// selected routes change; everything else in the VirtualService stays the user's.
import { pointer, type JsonPatchOp } from "./json-patch.js";
import { fail, PlanErrorCode, type PlanResult } from "./plan-errors.js";
import { planRouteExtras, type RouteExtras } from "./plan-routes.js";
import { isSiskinRoute, selectManagedRoutes, type ManagedRoute, type RouteSelection } from "./route-select.js";
import { implicitWeight, objectRef, type RouteDestination, type VirtualService } from "./vs-types.js";

export type { JsonPatchOp } from "./json-patch.js";
export { PlanErrorCode } from "./plan-errors.js";
export type { PlanError, PlanResult } from "./plan-errors.js";
export type { SubsetChange, SubsetPlan, SubsetPlanInput } from "./destination-rule.js";
export type { DestinationRule, VirtualService } from "./vs-types.js";
export { shortHost } from "./vs-types.js";
export type { ManagedRoute, RouteSelection, Split, TcpRouteSelector, TlsRouteSelector } from "./route-select.js";
export { checkSubsetsExist, planDestinationRuleSubsets } from "./destination-rule.js";
export type { RouteExtras } from "./plan-routes.js";
export { cookieHeaderMatch, siskinRouteName } from "./plan-routes.js";
export { isSiskinRoute, SISKIN_ROUTE_PREFIX } from "./route-select.js";

/** Input of {@link planWeights}: the VirtualService, what to manage, and the canary's share. */
export interface PlanWeightsInput extends RouteSelection {
  /** The whole VirtualService object (apiVersion, metadata, spec). Never modified. */
  vs: VirtualService;
  /** Percent of traffic for the canary, an integer 0..100; stable gets the rest. */
  canaryWeight: number;
}

/** Weights of one managed route. */
export interface RouteWeights {
  kind: ManagedRoute["kind"];
  /** Position in `spec.http` / `spec.tls` / `spec.tcp`. */
  index: number;
  name?: string;
  /** `destination.host` of the stable and the canary destination, as written in the VirtualService. */
  stableHost: string;
  canaryHost: string;
  stableWeight: number;
  canaryWeight: number;
}

/** A successful plan. */
export interface WeightPlan {
  /** A new VirtualService with the planned weights. */
  vs: VirtualService;
  /**
   * JSON Patch against the whole object (`/spec/http/0/route/1/weight`). Every weight write is
   * preceded by `test` ops on the old destination and weight, so a concurrent edit fails the patch.
   */
  patch: JsonPatchOp[];
  /** False when the VirtualService already carries these weights (then `patch` is empty). */
  changed: boolean;
  /** The planned weights of every managed route. */
  routes: RouteWeights[];
}

function isValidWeight(w: unknown): w is number {
  return typeof w === "number" && Number.isInteger(w) && w >= 0 && w <= 100;
}

function summarize(r: ManagedRoute, stableWeight: number, canaryWeight: number): RouteWeights {
  const host = (j: number) => r.destinations[j]?.destination.host ?? "";
  const canaryHost = r.canaryIndex < 0 ? (r.addCanary?.host ?? "") : host(r.canaryIndex);
  const out: RouteWeights = { kind: r.kind, index: r.index, stableHost: host(r.stableIndex), canaryHost, stableWeight, canaryWeight };
  if (r.name !== undefined) out.name = r.name;
  return out;
}

function weightOps(r: ManagedRoute, j: number, entry: RouteDestination, want: number): JsonPatchOp[] {
  const at = pointer("spec", r.kind, r.index, "route", j);
  if (entry.weight === undefined) {
    // No weight to `test`: test the whole entry instead, which also proves `weight` is still absent.
    return [
      { op: "test", path: at, value: entry },
      { op: "add", path: `${at}/weight`, value: want },
    ];
  }
  return [
    { op: "test", path: `${at}/destination`, value: entry.destination },
    { op: "test", path: `${at}/weight`, value: entry.weight },
    { op: "replace", path: `${at}/weight`, value: want },
  ];
}

/**
 * Plans the weights of the selected routes: canary gets `canaryWeight`, stable `100 − canaryWeight`.
 * With a subset split, a canary subset the route does not list yet is appended beside the stable
 * destination (only once it gets traffic). Fails (never guesses) when a route is missing or
 * ambiguous, lacks its stable destination, or sends traffic to a destination of neither version.
 */
export function planWeights(input: PlanWeightsInput): PlanResult<WeightPlan> {
  if (!isValidWeight(input.canaryWeight)) {
    const vsRef = `VirtualService ${objectRef(input.vs?.metadata)}`;
    return fail(PlanErrorCode.invalidWeight, vsRef, `canary weight ${JSON.stringify(input.canaryWeight)} for ${vsRef} is not an integer 0..100; pass a whole percentage`);
  }
  const sel = selectManagedRoutes(input.vs, input);
  if (!sel.ok) return sel;
  const canary = input.canaryWeight;
  const vs = structuredClone(input.vs);
  const patch: JsonPatchOp[] = [];
  for (const r of sel.routes) {
    const target = vs.spec[r.kind]?.[r.index]?.route;
    const adding = r.addCanary !== undefined && canary > 0 && target !== undefined;
    // Appending needs a guard on the whole list as it was read, so it comes before this route's weight writes.
    if (adding) patch.push({ op: "test", path: pointer("spec", r.kind, r.index, "route"), value: r.destinations });
    for (const [j, want] of [[r.stableIndex, 100 - canary], [r.canaryIndex, canary]] as const) {
      const entry = r.destinations[j];
      const copy = target?.[j];
      if (entry === undefined || copy === undefined) continue;
      // An absent weight that already means `want` stays absent: no churn in the user's object.
      if (implicitWeight(r.destinations, entry) === want) continue;
      patch.push(...weightOps(r, j, entry, want));
      copy.weight = want;
    }
    if (adding && r.addCanary !== undefined && target !== undefined) {
      const added: RouteDestination = { destination: { host: r.addCanary.host, subset: r.addCanary.subset }, weight: canary };
      patch.push({ op: "add", path: `${pointer("spec", r.kind, r.index, "route")}/-`, value: added });
      target.push(structuredClone(added));
    }
  }
  const routes = sel.routes.map((r) => summarize(r, 100 - canary, canary));
  return { ok: true, vs, patch, changed: patch.length > 0, routes };
}

/** The weights each managed route carries now (absent weights read as their implicit value). */
export function readWeights(vs: VirtualService, selection: RouteSelection): PlanResult<{ routes: RouteWeights[] }> {
  const sel = selectManagedRoutes(vs, selection);
  if (!sel.ok) return sel;
  const routes = sel.routes.map((r) => {
    const weightAt = (j: number) => {
      const e = r.destinations[j];
      return e === undefined ? 0 : implicitWeight(r.destinations, e);
    };
    return summarize(r, weightAt(r.stableIndex), weightAt(r.canaryIndex));
  });
  return { ok: true, routes };
}

/**
 * Read-back check after a write: every managed route must carry canary `expected` and stable
 * `100 − expected`. A mismatch names the first route that differs.
 */
export function verifyWeights(vs: VirtualService, selection: RouteSelection, expected: number): PlanResult<{ routes: RouteWeights[] }> {
  const read = readWeights(vs, selection);
  if (!read.ok) return read;
  const vsRef = `VirtualService ${objectRef(vs.metadata)}`;
  if (!isValidWeight(expected)) {
    return fail(PlanErrorCode.invalidWeight, vsRef, `expected canary weight ${JSON.stringify(expected)} for ${vsRef} is not an integer 0..100`);
  }
  for (const r of read.routes) {
    if (r.canaryWeight !== expected || r.stableWeight !== 100 - expected) {
      const ref = r.name !== undefined ? `${r.kind} route "${r.name}" (spec.${r.kind}[${r.index}])` : `spec.${r.kind}[${r.index}]`;
      return fail(PlanErrorCode.weightMismatch, vsRef, `${ref} of ${vsRef} carries stable ${r.stableWeight} / canary ${r.canaryWeight}, expected stable ${100 - expected} / canary ${expected}; another writer (a person, Argo Rollouts, Flagger) changed it — find it with \`kubectl get vs -o yaml --show-managed-fields\`, stop it, then repeat the step`, ref);
    }
  }
  return read;
}

/** Input of {@link planTraffic}: the weights, and a step's mirror or match (then the canary weight is 0). */
export interface PlanTrafficInput extends PlanWeightsInput, RouteExtras {}

/** A successful traffic plan: the weights plan, with the mirror and matched routes folded into `vs` and `patch`. */
export interface TrafficPlan extends WeightPlan {
  /** The mirror now set on the managed http routes, or null. */
  mirror: { percentage: number } | null;
  /** Names of the Siskin matched routes the VirtualService carries after the plan. */
  matchedRoutes: string[];
}

const HTTP_OP = /^\/spec\/http\/(\d+)(?:\/|$)/;

/**
 * Plans a whole step: the weights of the managed routes ({@link planWeights}), plus, for a mirror
 * step, `mirror`/`mirrorPercentage` on the managed http routes, or, for a matched step, a route
 * `siskin-canary[-<name>]` ahead of each of them; any other step removes Siskin's mirror and matched
 * routes. The patch is ordered so that every index it names is valid when the op runs (http routes
 * from the last to the first; inserts after the weight writes of the route they precede).
 */
export function planTraffic(input: PlanTrafficInput): PlanResult<TrafficPlan> {
  const vsRef = `VirtualService ${objectRef(input.vs?.metadata)}`;
  const extras: RouteExtras = {
    ...(input.mirror === undefined ? {} : { mirror: input.mirror }),
    ...(input.match === undefined ? {} : { match: input.match }),
  };
  if (extras.mirror !== undefined && extras.match !== undefined) {
    return fail(PlanErrorCode.invalidStep, vsRef, `a step for ${vsRef} cannot both mirror and match; make them two steps`);
  }
  if ((extras.mirror !== undefined || extras.match !== undefined) && input.canaryWeight !== 0) {
    return fail(PlanErrorCode.invalidStep, vsRef, `a ${extras.mirror !== undefined ? "mirror" : "matched"} step for ${vsRef} gives the canary no user traffic, but canary weight ${JSON.stringify(input.canaryWeight)} was asked; pass weight 0`);
  }
  const pct = extras.mirror?.percentage;
  if (pct !== undefined && !(typeof pct === "number" && Number.isFinite(pct) && pct > 0 && pct <= 100)) {
    return fail(PlanErrorCode.invalidStep, vsRef, `mirror percentage ${JSON.stringify(pct)} for ${vsRef} is not above 0 and at most 100`);
  }
  if (extras.match !== undefined && extras.match.length === 0) {
    return fail(PlanErrorCode.invalidStep, vsRef, `a matched step for ${vsRef} needs at least one header or cookie condition`);
  }
  const weights = planWeights(input);
  if (!weights.ok) return weights;
  const sel = selectManagedRoutes(input.vs, input);
  if (!sel.ok) return sel;
  const ex = planRouteExtras(input.vs, weights.vs.spec.http ?? [], sel.routes, input.split, extras, sel.vsRef);
  if (!ex.ok) return ex;
  const weightOpsAt = new Map<number, JsonPatchOp[]>();
  const rest: JsonPatchOp[] = [];
  for (const op of weights.patch) {
    const m = HTTP_OP.exec(op.path);
    if (m === null) rest.push(op);
    else weightOpsAt.set(Number(m[1]), [...(weightOpsAt.get(Number(m[1])) ?? []), op]);
  }
  const indexes = [...new Set([...weightOpsAt.keys(), ...ex.opsAt.keys(), ...ex.insertAt.keys()])].sort((a, b) => b - a);
  const patch = indexes.flatMap((i) => [...(ex.opsAt.get(i) ?? []), ...(weightOpsAt.get(i) ?? []), ...(ex.insertAt.get(i) ?? [])]);
  patch.push(...rest);
  const vs = weights.vs;
  if (vs.spec.http !== undefined) vs.spec.http = ex.http;
  const matchedRoutes = ex.http.flatMap((r) => (isSiskinRoute(r) && r.name !== undefined ? [r.name] : []));
  return { ok: true, vs, patch, changed: patch.length > 0, routes: weights.routes, mirror: extras.mirror ?? null, matchedRoutes };
}

/**
 * Read-back check of a whole step: the weights ({@link verifyWeights}), and the mirror and matched
 * routes exactly as {@link planTraffic} would write them (planning again must change nothing).
 */
export function verifyTraffic(vs: VirtualService, input: Omit<PlanTrafficInput, "vs">): PlanResult<{ routes: RouteWeights[] }> {
  const check = verifyWeights(vs, input, input.canaryWeight);
  if (!check.ok) return check;
  const again = planTraffic({ ...input, vs });
  if (!again.ok) return again;
  if (again.changed) {
    const vsRef = `VirtualService ${objectRef(vs.metadata)}`;
    const want = input.mirror !== undefined ? `a mirror of ${input.mirror.percentage} % to the canary` : input.match !== undefined ? "Siskin's matched routes" : "no Siskin mirror or matched route";
    return fail(PlanErrorCode.weightMismatch, vsRef, `${vsRef} does not carry ${want} after the write (first difference: ${again.patch.find((o) => o.op !== "test")?.path ?? "?"}); another writer changed it — find it with \`kubectl get vs -o yaml --show-managed-fields\`, stop it, then repeat the step`);
  }
  return check;
}
