/** Payloads of `cmd.traffic.*` and `evt.traffic.*`. */
import { Type, type Static } from "typebox";
import { K8sName, Strict, StringEnum, Version } from "./common.js";
import { RolloutRef } from "./rollout.js";

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
});
export type WeightsSet = Static<typeof WeightsSet>;

/** `evt.traffic.weights_failed`. */
export const WeightsFailed = Strict({
  canaryWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  code: Type.String(),
  message: Type.String(),
  retryable: Type.Boolean(),
});
export type WeightsFailed = Static<typeof WeightsFailed>;
