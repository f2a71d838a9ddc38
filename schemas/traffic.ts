/** Payloads of `cmd.traffic.*` and `evt.traffic.*`. */
import { Type, type Static } from "typebox";
import { K8sName, Strict, StringEnum, Version } from "./common.js";
import { MirrorSpec, RolloutRef, RouteMatch } from "./rollout.js";

/** `cmd.traffic.set_weights`: give the canary `canaryWeight` % on the rollout's routes. */
export const SetWeights = Strict({
  rollout: RolloutRef,
  virtualService: Strict({
    name: K8sName,
    routes: Type.Optional(Type.Array(Type.String())),
    tlsRoutes: Type.Optional(Type.Array(Strict({ port: Type.Optional(Type.Integer()), sniHosts: Type.Array(Type.String()) }))),
    tcpRoutes: Type.Optional(Type.Array(Strict({ port: Type.Integer() }))),
  }),
  destinationRule: K8sName,
  /** Label that selects versions in the DestinationRule subsets. */
  versionLabel: Type.String(),
  stableVersion: Version,
  canaryVersion: Version,
  /** Subset names (default: the versions). */
  stableSubset: Type.String(),
  canarySubset: Type.String(),
  canaryWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  /**
   * Mirror step: also copy this share of the managed http routes' traffic to the canary subset
   * (`mirror` + `mirrorPercentage`); `canaryWeight` is then 0. Absent: Siskin's mirror is removed.
   */
  mirror: Type.Optional(MirrorSpec),
  /**
   * Matched step: insert a route named `siskin-canary-<route>` ahead of each managed http route that
   * sends requests matching any of these to the canary. Absent: Siskin's matched routes are removed.
   */
  match: Type.Optional(Type.Array(RouteMatch, { minItems: 1, maxItems: 8 })),
});
export type SetWeights = Static<typeof SetWeights>;

/** One managed route after the write. */
export const RouteWeights = Strict({
  kind: StringEnum(["http", "tls", "tcp"] as const),
  index: Type.Integer({ minimum: 0 }),
  name: Type.Optional(Type.String()),
  stableWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  canaryWeight: Type.Integer({ minimum: 0, maximum: 100 }),
});

/** `evt.traffic.weights_set`: applied and read back. */
export const WeightsSet = Strict({
  canaryWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  routes: Type.Array(RouteWeights),
  /** The VirtualService's resourceVersion after the write. */
  resourceVersion: Type.String(),
  /** Writes tried (more than 1 after conflicts). */
  attempts: Type.Integer({ minimum: 0 }),
  /** {@link trafficShapeOf} the command: which mirror / matched routes were set besides the weights. */
  shape: Type.Optional(Type.String({ maxLength: 64 })),
});
export type WeightsSet = Static<typeof WeightsSet>;

/** `evt.traffic.weights_failed`. */
export const WeightsFailed = Strict({
  canaryWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  code: Type.String(),
  message: Type.String(),
  retryable: Type.Boolean(),
  /** {@link trafficShapeOf} the command that failed. */
  shape: Type.Optional(Type.String({ maxLength: 64 })),
});
export type WeightsFailed = Static<typeof WeightsFailed>;

/** FNV-1a (32 bit) of a string, as 8 hex digits: a short, stable fingerprint. Pure. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * What a traffic command asks for besides the weight, as a short key: `""` (weights only),
 * `mirror:<percentage>` or `match:<fingerprint of the conditions>`. The workflow matches
 * `weights_set` / `weights_failed` to its request by weight and shape, so a late confirmation of a
 * mirror step cannot confirm the matched step after it (both have canary weight 0).
 */
export function trafficShapeOf(cmd: { mirror?: { percentage: number }; match?: readonly unknown[] }): string {
  if (cmd.mirror !== undefined) return `mirror:${cmd.mirror.percentage}`;
  if (cmd.match !== undefined) return `match:${fnv1a(JSON.stringify(cmd.match))}`;
  return "";
}

/**
 * `cmd.traffic.prune`: remove the routes' destinations and the DestinationRule subsets of versions
 * beyond the rollout's `revisionHistoryLimit`. Only those Siskin added (listed in the objects'
 * `siskin.dev/added-versions` annotation), never a version in `keep`, never a destination with weight.
 */
export const TrafficPrune = Strict({
  rollout: RolloutRef,
  virtualService: SetWeights.properties.virtualService,
  destinationRule: K8sName,
  /** Versions that stay whatever their age: the new stable version and the previous one. */
  keep: Type.Array(Version, { minItems: 1, maxItems: 10 }),
  /** How many versions stay in all (`spec.revisionHistoryLimit`), `keep` included. */
  limit: Type.Integer({ minimum: 1, maximum: 10 }),
  reason: Type.String(),
});
export type TrafficPrune = Static<typeof TrafficPrune>;

/** `evt.traffic.pruned`: what `cmd.traffic.prune` removed. */
export const TrafficPruned = Strict({
  /** Versions whose destinations or subset were removed, oldest first. */
  removed: Type.Array(Version),
  /** Destinations removed from managed routes (`http[0] → v1`). */
  destinations: Type.Array(Type.String()),
  /** DestinationRule subsets removed. */
  subsets: Type.Array(Type.String()),
  /** Versions left out because they still get traffic (never removed). */
  withTraffic: Type.Array(Version),
});
export type TrafficPruned = Static<typeof TrafficPruned>;
