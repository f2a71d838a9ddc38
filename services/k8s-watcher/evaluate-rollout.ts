// Pure: facts from VMRollouts (spec changed) and from managed VirtualServices (drift: the canary
// weight differs from the one Siskin last wrote for the release in flight).
import type { PayloadOf } from "../../schemas/codec.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { SiskinAnnotation, type RolloutIndexEntry } from "../../schemas/rollout-index.js";
import { Event } from "../../schemas/subjects.js";
import type { Fact } from "./evaluate.js";
import { metaOf, type KubeObject, type RolloutObject } from "./kube-types.js";

/**
 * `evt.rollout.spec_changed` when a VMRollout's generation moved (`prev` known), or a VMRollout
 * appeared after the watcher's first sync (`bootstrap` false). Id `rollout:<uid>:spec_changed:<generation>`.
 */
export function rolloutFacts(prev: RolloutObject | undefined, next: RolloutObject | undefined, opts: { bootstrap: boolean }): Fact[] {
  if (next === undefined || next.spec === undefined) return [];
  const generation = next.metadata?.generation ?? 0;
  if (prev === undefined ? opts.bootstrap : prev.metadata?.generation === generation) return [];
  const { name, namespace, uid } = metaOf(next);
  const data: PayloadOf<typeof Event.rolloutSpecChanged> = {
    rollout: { namespace, name },
    generation,
    spec: next.spec as unknown as VMRolloutSpec,
  };
  return [{ subject: Event.rolloutSpecChanged, id: `rollout:${uid || `${namespace}/${name}`}:spec_changed:${generation}`, data }];
}

interface Dest {
  destination?: { subset?: string };
  weight?: number;
}
interface Route {
  name?: string;
  route?: Dest[];
}

/** Input of {@link driftFor}. */
export interface DriftInput {
  /** The VirtualService as seen now. */
  vs: KubeObject & { spec?: { http?: Route[]; tls?: Route[]; tcp?: Route[] } };
  /** The rollout that manages it (same namespace) and its spec. */
  rollout: { name: string; spec: VMRolloutSpec };
  /** The rollout's release in flight, from KV `Bucket.rollouts`. */
  entry: RolloutIndexEntry;
}

/** The weight Siskin last wrote for this release: the VirtualService's annotation, else the index. */
export function expectedWeight(vs: KubeObject, entry: RolloutIndexEntry): number | undefined {
  const ann = vs.metadata?.annotations ?? {};
  const raw = ann[SiskinAnnotation.canaryWeight];
  if (ann[SiskinAnnotation.weightsRelease] === entry.releaseId && raw !== undefined && /^(100|[1-9]?[0-9])$/.test(raw)) {
    return Number(raw);
  }
  return entry.lastSetWeight;
}

/**
 * The canary weight of each managed route (a route with the stable subset; http routes restricted to
 * `spec.virtualService.routes` when named; Siskin's own `siskin-canary*` matched routes excluded). An
 * absent weight reads as Istio does: 100 for a lone destination, else 0; a route that does not list
 * the canary subset gives it 0 % (a mirror or matched step leaves the canary unlisted at weight 0).
 */
export function observedWeights(input: DriftInput): number[] {
  const { vs, rollout, entry } = input;
  const stable = entry.stableSubset ?? entry.stableVersion ?? rollout.spec.stableVersion;
  const canary = entry.canarySubset ?? entry.version;
  const names = rollout.spec.virtualService.routes;
  const http = (vs.spec?.http ?? []).filter((r) => !(r.name ?? "").startsWith("siskin-canary") && (names === undefined || (r.name !== undefined && names.includes(r.name))));
  const l4 = [
    ...(rollout.spec.virtualService.tlsRoutes ? (vs.spec?.tls ?? []) : []),
    ...(rollout.spec.virtualService.tcpRoutes ? (vs.spec?.tcp ?? []) : []),
  ];
  const out: number[] = [];
  for (const r of [...http, ...l4]) {
    const dests = r.route ?? [];
    const c = dests.find((d) => d.destination?.subset === canary);
    if (!dests.some((d) => d.destination?.subset === stable)) continue;
    out.push(c === undefined ? 0 : (c.weight ?? (dests.length === 1 ? 100 : 0)));
  }
  return out;
}

/** The field manager of the newest managedFields entry, when the API server keeps them. */
function lastEditor(vs: KubeObject): string | undefined {
  const entries = vs.metadata?.managedFields ?? [];
  let best: { manager?: string; time?: string } | undefined;
  for (const e of entries) if (best === undefined || (e.time ?? "") >= (best.time ?? "")) best = e;
  return best?.manager || undefined;
}

/**
 * `evt.rollout.drift_detected` when a managed route of the VirtualService carries another canary
 * weight than the one Siskin last set for the release in flight (or no managed route is left).
 * Nothing when Siskin has not set a weight for this release yet. Id `drift:<ns>/<vs>:<rollout>:<rv>`.
 */
export function driftFor(input: DriftInput): Fact[] {
  const expected = expectedWeight(input.vs, input.entry);
  if (expected === undefined) return [];
  const observed = observedWeights(input);
  const differing = observed.find((w) => w !== expected);
  if (observed.length > 0 && differing === undefined) return [];
  const { name, namespace, rv } = metaOf(input.vs);
  const data: PayloadOf<typeof Event.rolloutDriftDetected> = {
    rollout: { namespace, name: input.rollout.name },
    virtualService: name,
    expectedCanaryWeight: expected,
    observedCanaryWeight: differing ?? null,
  };
  const editor = lastEditor(input.vs);
  if (editor !== undefined) data.editor = editor;
  return [{ subject: Event.rolloutDriftDetected, id: `drift:${namespace}/${name}:${input.rollout.name}:${rv}`, data, releaseId: input.entry.releaseId }];
}
