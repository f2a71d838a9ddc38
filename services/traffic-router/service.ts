// The traffic-router: cmd.traffic.set_weights → make sure the DestinationRule has both subsets →
// plan the weights (pure) → a JSON patch of the weights only, every write guarded by `test` ops on
// what was read (re-read and re-plan when a guard fails) → read back and verify →
// evt.traffic.weights_set | weights_failed. Compute, then apply, then read back.
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { SiskinAnnotation } from "../../schemas/rollout-index.js";
import { Command, Event } from "../../schemas/subjects.js";
import { trafficShapeOf, type WeightsSet } from "../../schemas/traffic.js";
import { planDestinationRuleSubsets, planTraffic, verifyTraffic, type PlanError, type RouteExtras, type RouteSelection, type RouteWeights } from "./plan.js";
import { isTransient, type DestinationRules, type EventPublisher, type ObjectRef, type VirtualServices } from "./ports.js";
import { pointer, type JsonPatchOp } from "./json-patch.js";
import { addedVersions, planTrafficPrune, withAddedVersion } from "./prune.js";
import type { VirtualService } from "./vs-types.js";
import { isConflict, retryOnConflict } from "../runtime/conflict.js";

/** True when any route of `vs` has a destination to `subset`. */
function hasSubset(vs: VirtualService, subset: string): boolean {
  return (["http", "tls", "tcp"] as const).some((k) => (vs.spec[k] ?? []).some((r) => (r.route ?? []).some((d) => d.destination?.subset === subset)));
}

/** Dependencies of the router. */
export interface TrafficRouterDeps {
  virtualServices: VirtualServices;
  destinationRules: DestinationRules;
  events: EventPublisher;
  /** Writes tried per object before a conflict counts as retryable failure (default 5). */
  maxAttempts?: number;
}

/** What the consume loop tells the handler about the delivery. */
export interface HandleOptions {
  /** True on the last delivery: a retryable failure is then also published as weights_failed {retryable: true}. */
  lastAttempt?: boolean;
}

/** The router's handler. */
export interface TrafficRouter {
  handle(msg: MessageOf<typeof Command.trafficSetWeights> | MessageOf<typeof Command.trafficPrune>, opts?: HandleOptions): Promise<void>;
}

/** A failure that ends the command: published as weights_failed. */
class Failure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "Failure";
  }
}

const fromPlan = (e: PlanError) => new Failure(e.code, e.message, false);

function toSchemaRoutes(routes: RouteWeights[]): WeightsSet["routes"] {
  return routes.map((r) => ({ kind: r.kind, index: r.index, ...(r.name === undefined ? {} : { name: r.name }), stableWeight: r.stableWeight, canaryWeight: r.canaryWeight }));
}

/**
 * The weight and release Siskin wrote, so the k8s-watcher can tell its own writes from drift: `add`
 * sets one annotation and leaves the others. Without an annotations map the map itself is added,
 * guarded by the resourceVersion read (nothing else can prove the map is still absent).
 */
export function annotationOps(vs: VirtualService, canaryWeight: number, releaseId: string | undefined, extra: Readonly<Record<string, string>> = {}): JsonPatchOp[] {
  const values: Record<string, string> = { ...extra, [SiskinAnnotation.canaryWeight]: String(canaryWeight) };
  if (releaseId !== undefined) values[SiskinAnnotation.weightsRelease] = releaseId;
  if (vs.metadata?.annotations === undefined) {
    return [
      { op: "test", path: "/metadata/resourceVersion", value: vs.metadata?.resourceVersion ?? "" },
      { op: "add", path: "/metadata/annotations", value: values },
    ];
  }
  return Object.entries(values).map(([k, v]) => ({ op: "add" as const, path: pointer("metadata", "annotations", k), value: v }));
}

/** Build the router from its ports. */
export function createService(deps: TrafficRouterDeps): TrafficRouter {
  const maxAttempts = deps.maxAttempts ?? 5;

  /** Runs one API call; a transient failure is retryable, anything else ends the command. */
  async function api<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isConflict(err)) throw err;
      if (isTransient(err)) throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `traffic-router: ${what} failed: ${(err as Error).message}; retrying`, { cause: err });
      throw new Failure("SISKIN_ERR_KUBE_REJECTED", `traffic-router: ${what} was refused: ${(err as Error).message}; fix the object or the router's RBAC (get/update on virtualservices and destinationrules)`, false);
    }
  }

  async function must<T>(what: string, ref: ObjectRef, read: () => Promise<T | null>): Promise<T> {
    const obj = await api(`reading ${what} ${ref.namespace}/${ref.name}`, read);
    if (obj === null) throw new Failure("SISKIN_ERR_NOT_FOUND", `${what} ${ref.namespace}/${ref.name} does not exist; create it or fix the VMRollout's ${what === "VirtualService" ? "spec.virtualService.name" : "spec.destinationRule.name"}`, false);
    return obj;
  }

  /** Ensures both subsets exist (conditional write, re-read and re-plan on conflict). */
  async function ensureSubsets(d: MessageOf<typeof Command.trafficSetWeights>["data"], ref: ObjectRef): Promise<void> {
    await retryOnConflict({ attempts: maxAttempts, what: `traffic-router: DestinationRule ${ref.namespace}/${ref.name} update` }, async () => {
      const dr = await must("DestinationRule", ref, () => deps.destinationRules.get(ref));
      const plan = planDestinationRuleSubsets(dr, { stableSubset: d.stableSubset, canarySubset: d.canarySubset, versionLabel: d.versionLabel, stableVersion: d.stableVersion, canaryVersion: d.canaryVersion });
      if (!plan.ok) throw fromPlan(plan.error);
      if (!plan.changed) return;
      // Recorded, so that a prune removes only the subsets the router added, never the user's.
      const added = plan.subsets.filter((c) => c.action === "added").reduce((o, c) => withAddedVersion(o, c.name), plan.dr);
      await api(`updating DestinationRule ${ref.namespace}/${ref.name}`, () => deps.destinationRules.replace(added));
    });
  }

  async function setWeights(msg: MessageOf<typeof Command.trafficSetWeights>): Promise<WeightsSet> {
    const d = msg.data;
    const ns = d.rollout.namespace;
    const vsRef = { namespace: ns, name: d.virtualService.name };
    const selection: RouteSelection = {
      split: { by: "subset", stableSubset: d.stableSubset, canarySubset: d.canarySubset },
      ...(d.virtualService.routes === undefined ? {} : { httpRoutes: d.virtualService.routes }),
      ...(d.virtualService.tlsRoutes === undefined ? {} : { tlsRoutes: d.virtualService.tlsRoutes }),
      ...(d.virtualService.tcpRoutes === undefined ? {} : { tcpRoutes: d.virtualService.tcpRoutes }),
    };
    // A mirror or matched step: Siskin's mirror / matched routes besides the weights (absent: removed).
    const extras: RouteExtras = { ...(d.mirror === undefined ? {} : { mirror: d.mirror }), ...(d.match === undefined ? {} : { match: d.match }) };
    await ensureSubsets(d, { namespace: ns, name: d.destinationRule });
    return retryOnConflict({ attempts: maxAttempts, what: `traffic-router: VirtualService ${ns}/${vsRef.name} update` }, async (attempt) => {
      const vs = await must("VirtualService", vsRef, () => deps.virtualServices.get(vsRef));
      const plan = planTraffic({ vs, canaryWeight: d.canaryWeight, ...selection, ...extras });
      if (!plan.ok) throw fromPlan(plan.error);
      let stored: VirtualService = vs;
      if (plan.changed) {
        // A canary destination the plan appends is recorded, so that a prune removes only those.
        const appended = !hasSubset(vs, d.canarySubset) && hasSubset(plan.vs, d.canarySubset);
        const extra: Record<string, string> = appended ? { [SiskinAnnotation.addedVersions]: addedVersions(withAddedVersion(vs, d.canarySubset)).join(",") } : {};
        await api(`patching VirtualService ${ns}/${vsRef.name}`, () => deps.virtualServices.patch(vsRef, [...plan.patch, ...annotationOps(vs, d.canaryWeight, msg.releaseId, extra)]));
        stored = await must("VirtualService", vsRef, () => deps.virtualServices.get(vsRef));
      }
      const check = verifyTraffic(stored, { canaryWeight: d.canaryWeight, ...selection, ...extras });
      if (!check.ok) throw fromPlan(check.error);
      // Writes made: every attempt before this one lost its race; this one wrote only when the plan changed something.
      const attempts = attempt - 1 + (plan.changed ? 1 : 0);
      const shape = trafficShapeOf(d);
      return { canaryWeight: d.canaryWeight, routes: toSchemaRoutes(check.routes), resourceVersion: stored.metadata?.resourceVersion ?? "", attempts, ...(shape === "" ? {} : { shape }) };
    });
  }

  /** Remove what the router added for versions beyond the limit (conditional writes, re-planned on 409). */
  async function prune(msg: MessageOf<typeof Command.trafficPrune>): Promise<void> {
    const d = msg.data;
    const ns = d.rollout.namespace;
    const vsRef = { namespace: ns, name: d.virtualService.name };
    const drRef = { namespace: ns, name: d.destinationRule };
    const plan = await retryOnConflict({ attempts: maxAttempts, what: `traffic-router: prune of ${ns}/${vsRef.name}` }, async () => {
      const vs = await must("VirtualService", vsRef, () => deps.virtualServices.get(vsRef));
      const dr = await must("DestinationRule", drRef, () => deps.destinationRules.get(drRef));
      const p = planTrafficPrune(vs, dr, d.keep, d.limit);
      // Routes first: a subset must outlive every destination that names it (else 503 NR).
      // The VirtualService is written only by guarded JSON patch: the whole read is the guard here.
      const pruneOps: JsonPatchOp[] = [
        { op: "test", path: "/metadata/resourceVersion", value: vs.metadata?.resourceVersion ?? "" },
        { op: "replace", path: "/spec", value: p.vs.spec },
        { op: "add", path: "/metadata/annotations", value: (p.vs.metadata?.annotations as Record<string, string> | undefined) ?? {} },
      ];
      if (p.vsChanged) await api(`patching VirtualService ${ns}/${vsRef.name}`, () => deps.virtualServices.patch(vsRef, pruneOps));
      if (p.drChanged) await api(`updating DestinationRule ${ns}/${drRef.name}`, () => deps.destinationRules.replace(p.dr));
      return p;
    });
    const meta = { causationId: msg.id, ...(msg.releaseId === undefined ? {} : { releaseId: msg.releaseId }) };
    await deps.events.publish(Event.trafficPruned, {
      ...meta,
      id: `${msg.id}:pruned`,
      data: { removed: plan.removed, destinations: plan.destinations, subsets: plan.subsets, withTraffic: plan.withTraffic },
    });
  }

  return {
    async handle(msg, opts = {}) {
      if (msg.type === Command.trafficPrune) {
        try {
          return await prune(msg as MessageOf<typeof Command.trafficPrune>);
        } catch (err) {
          // Nothing to report to a finished release: a refused prune is logged by the consume loop and ends.
          if (err instanceof Failure) throw new SiskinError(err.code === "SISKIN_ERR_NOT_FOUND" ? "SISKIN_ERR_NOT_FOUND" : "SISKIN_ERR_INTERNAL", err.message, { cause: err });
          throw err;
        }
      }
      msg = msg as MessageOf<typeof Command.trafficSetWeights>;
      const meta = { causationId: msg.id, ...(msg.releaseId === undefined ? {} : { releaseId: msg.releaseId }) };
      const shape = trafficShapeOf(msg.data);
      const failed = (code: string, message: string, retryable: boolean) =>
        deps.events.publish(Event.trafficWeightsFailed, { ...meta, id: `${msg.id}:weights_failed`, data: { canaryWeight: msg.data.canaryWeight, code, message, retryable, ...(shape === "" ? {} : { shape }) } });
      let result: WeightsSet;
      try {
        result = await setWeights(msg);
      } catch (err) {
        if (err instanceof Failure) {
          await failed(err.code, err.message, err.retryable);
          return;
        }
        if (opts.lastAttempt === true && err instanceof SiskinError && err.retryable) await failed(err.code, err.message, true);
        throw err;
      }
      await deps.events.publish(Event.trafficWeightsSet, { ...meta, id: `${msg.id}:weights_set`, data: result });
    },
  };
}
