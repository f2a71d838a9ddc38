// Error codes of the traffic plan. Every code is permanent: the same VirtualService and request
// give the same answer, so a retry cannot help until a person (or another release) changes them.

/** Every error code the traffic planner can return, as a `const` table (fastify's `FST_ERR_*` style). */
export const PlanErrorCode = {
  /** A named http route, or a tls/tcp selector, matches no route of the VirtualService. */
  routeNotFound: "SISKIN_ERR_ROUTE_NOT_FOUND",
  /** No route names were given but the VirtualService has more than one http route, or a name is duplicated. */
  ambiguousRoute: "SISKIN_ERR_AMBIGUOUS_ROUTE",
  /** A managed route lacks the stable or the canary destination. */
  destinationMissing: "SISKIN_ERR_DESTINATION_MISSING",
  /** A managed route has a destination that is neither stable nor canary. */
  unknownDestination: "SISKIN_ERR_UNKNOWN_DESTINATION",
  /** A managed route has the stable or the canary destination more than once. */
  duplicateDestination: "SISKIN_ERR_DUPLICATE_DESTINATION",
  /** The requested canary weight is not an integer 0..100, or a stored weight is not a non-negative integer. */
  invalidWeight: "SISKIN_ERR_INVALID_WEIGHT",
  /** Stable and canary are the same, or a name is empty, or a selector port is not 1..65535. */
  invalidSplit: "SISKIN_ERR_INVALID_SPLIT",
  /** The object is not a VirtualService / DestinationRule of the expected shape. */
  invalidObject: "SISKIN_ERR_INVALID_OBJECT",
  /** A subset used by the split is not defined in the DestinationRule. */
  subsetNotInDr: "SISKIN_ERR_SUBSET_NOT_IN_DR",
  /** The DestinationRule's stable subset selects another version than the release expects. */
  subsetConflict: "SISKIN_ERR_SUBSET_CONFLICT",
  /** A mirror step on a managed http route that already mirrors somewhere else (or has a `mirrors` list). */
  mirrorConflict: "SISKIN_ERR_MIRROR_CONFLICT",
  /** A step asks for a mirror and a match at once, a mirror or match with a canary weight, or a mirror percentage outside (0, 100]. */
  invalidStep: "SISKIN_ERR_INVALID_STEP",
  /** A matched step sets a header the managed route already matches on. */
  matchConflict: "SISKIN_ERR_MATCH_CONFLICT",
  /** Read back after a write: a managed route does not carry the expected weights. */
  weightMismatch: "SISKIN_ERR_WEIGHT_MISMATCH",
} as const;
/** Union of the `SISKIN_ERR_*` strings above. */
export type PlanErrorCode = (typeof PlanErrorCode)[keyof typeof PlanErrorCode];

/** Why a plan could not be made. Plain data: pure code returns it, callers decide (term + `*.failed`). */
export interface PlanError {
  code: PlanErrorCode;
  /** Names the object (`VirtualService ns/name`), the route (`"primary"` or `spec.http[2]`), the cause and the fix. */
  message: string;
  /** Always false: planning is deterministic, a retry gives the same answer. */
  retryable: false;
  /** `VirtualService ns/name` or `DestinationRule ns/name`. */
  object: string;
  /** The route concerned, when there is one (`spec.http[0] "primary"`). */
  route?: string;
}

/** Result of a pure plan function: a value, or a {@link PlanError}. */
export type PlanResult<T> = ({ ok: true } & T) | { ok: false; error: PlanError };

/** Builds a failed {@link PlanResult}. */
export function fail(code: PlanErrorCode, object: string, message: string, route?: string): { ok: false; error: PlanError } {
  const error: PlanError = { code, message, retryable: false, object };
  if (route !== undefined) error.route = route;
  return { ok: false, error };
}
