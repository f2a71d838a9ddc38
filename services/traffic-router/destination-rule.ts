// Pure planning of the DestinationRule subsets a subset split needs. A VirtualService route to a
// subset the DestinationRule does not define answers 503 (NR), so subsets are checked or added
// before any weight moves. Nothing but the two named subsets' version label is ever changed.
import { pointer, type JsonPatchOp } from "./json-patch.js";
import { fail, PlanErrorCode, type PlanResult } from "./plan-errors.js";
import { objectRef, type DestinationRule, type Subset } from "./vs-types.js";

/** Input of {@link planDestinationRuleSubsets}. */
export interface SubsetPlanInput {
  stableSubset: string;
  canarySubset: string;
  /** Pod/VMI label that carries the version, e.g. `version` (bookinfo) or `app.kubernetes.io/version`. */
  versionLabel: string;
  stableVersion: string;
  canaryVersion: string;
  /**
   * Allow re-pointing the stable subset to `stableVersion` when it selects another version
   * (promotion). Off by default: a stable subset that disagrees is an error, not a silent traffic move.
   */
  allowStableRelabel?: boolean;
}

/** What happened to one subset. */
export interface SubsetChange {
  name: string;
  action: "kept" | "added" | "relabeled";
}

/** A successful subset plan. */
export interface SubsetPlan {
  /** A new DestinationRule (the input is not modified). */
  dr: DestinationRule;
  changed: boolean;
  subsets: SubsetChange[];
  /** JSON Patch: `test` of the old `spec.subsets` (or `spec`), then its replacement; empty when unchanged. */
  patch: JsonPatchOp[];
}

function drRef(dr: DestinationRule): string {
  return `DestinationRule ${objectRef(typeof dr === "object" && dr !== null ? dr.metadata : undefined)}`;
}

function validate(dr: DestinationRule, ref: string): PlanResult<{ subsets: Subset[] }> {
  if (typeof dr !== "object" || dr === null || typeof dr.spec !== "object" || dr.spec === null) {
    return fail(PlanErrorCode.invalidObject, ref, `${ref} has no spec; pass a whole DestinationRule object`);
  }
  const subsets = dr.spec.subsets ?? [];
  if (!Array.isArray(subsets) || !subsets.every((s) => typeof s === "object" && s !== null && typeof s.name === "string")) {
    return fail(PlanErrorCode.invalidObject, ref, `spec.subsets of ${ref} is not a list of {name, labels}; fix the DestinationRule`);
  }
  return { ok: true, subsets };
}

/**
 * Makes sure the DestinationRule defines the stable and the canary subset, each selecting its
 * version through `versionLabel`: adds a missing subset `{name, labels: {[versionLabel]: version}}`,
 * points the canary subset at `canaryVersion`, and keeps every other field and subset.
 */
export function planDestinationRuleSubsets(dr: DestinationRule, input: SubsetPlanInput): PlanResult<SubsetPlan> {
  const ref = drRef(dr);
  const valid = validate(dr, ref);
  if (!valid.ok) return valid;
  if (!input.stableSubset || !input.canarySubset || input.stableSubset === input.canarySubset) {
    return fail(PlanErrorCode.invalidSplit, ref, `stable subset "${input.stableSubset}" and canary subset "${input.canarySubset}" for ${ref} must be two non-empty, different names`);
  }
  if (!input.versionLabel || !input.stableVersion || !input.canaryVersion) {
    return fail(PlanErrorCode.invalidSplit, ref, `versionLabel, stableVersion and canaryVersion for ${ref} must be non-empty`);
  }
  const out = structuredClone(dr);
  const subsets = structuredClone(valid.subsets);
  const changes: SubsetChange[] = [];
  const roles = [
    { name: input.stableSubset, version: input.stableVersion, relabel: input.allowStableRelabel === true },
    { name: input.canarySubset, version: input.canaryVersion, relabel: true },
  ];
  for (const { name, version, relabel } of roles) {
    const found = subsets.filter((s) => s.name === name);
    if (found.length > 1) {
      return fail(PlanErrorCode.invalidObject, ref, `${ref} defines subset "${name}" ${found.length} times; keep one`);
    }
    const subset = found[0];
    if (subset === undefined) {
      subsets.push({ name, labels: { [input.versionLabel]: version } });
      changes.push({ name, action: "added" });
      continue;
    }
    const current = subset.labels?.[input.versionLabel];
    if (current === version) {
      changes.push({ name, action: "kept" });
      continue;
    }
    if (current !== undefined && !relabel) {
      return fail(PlanErrorCode.subsetConflict, ref, `stable subset "${name}" of ${ref} selects ${input.versionLabel}=${current}, but the release expects stable ${input.versionLabel}=${version}; re-pointing it would move live traffic — fix the release's stable version or the DestinationRule`);
    }
    subset.labels = { ...(subset.labels ?? {}), [input.versionLabel]: version };
    changes.push({ name, action: "relabeled" });
  }
  const changed = changes.some((c) => c.action !== "kept");
  if (!changed) return { ok: true, dr: out, changed, subsets: changes, patch: [] };
  out.spec.subsets = subsets;
  const patch: JsonPatchOp[] =
    dr.spec.subsets === undefined
      ? [
          { op: "test", path: pointer("spec"), value: dr.spec },
          { op: "add", path: pointer("spec", "subsets"), value: subsets },
        ]
      : [
          { op: "test", path: pointer("spec", "subsets"), value: dr.spec.subsets },
          { op: "replace", path: pointer("spec", "subsets"), value: subsets },
        ];
  return { ok: true, dr: out, changed, subsets: changes, patch };
}

/** Fails, naming the first missing subset and the fix, unless the DestinationRule defines every one of `subsets`. */
export function checkSubsetsExist(dr: DestinationRule, subsets: readonly string[]): PlanResult<object> {
  const ref = drRef(dr);
  const valid = validate(dr, ref);
  if (!valid.ok) return valid;
  const have = new Set(valid.subsets.map((s) => s.name));
  const missing = subsets.filter((s) => !have.has(s));
  if (missing.length === 0) return { ok: true };
  const list = [...have].join(", ") || "none";
  return fail(PlanErrorCode.subsetNotInDr, ref, `subset "${missing.join('", "')}" is not defined in ${ref} (host ${dr.spec.host}; its subsets: ${list}), so Istio would answer 503 for it; add \`- name: ${missing[0]}\` with the version's labels to spec.subsets (or let Siskin add it with the release's version label)`);
}
