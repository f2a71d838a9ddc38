/**
 * The soak's release script: from a seed, which releases of which services, in which order, each with
 * the outcome it must end with. Pure: the driver plays it, the invariant checker judges against it.
 */
import { createRng, hashSeed, type Rng } from "../mesh/prng.js";

/** How a scripted release goes. */
export const ReleaseKind = ["healthy", "errors5xx", "latency", "neverReady", "migration", "denied", "expired", "superseded"] as const;
export type ReleaseKind = (typeof ReleaseKind)[number];

/** Final outcomes, as `evt.release.completed` names them. */
export type Outcome = "promoted" | "rolledBack" | "aborted" | "superseded" | "failed";

/** One scripted release. */
export interface ScriptedRelease {
  /** Position in the whole script (0-based). */
  index: number;
  service: string;
  namespace: string;
  version: string;
  releaseId: string;
  kind: ReleaseKind;
  expect: Outcome;
  /**
   * For `superseded`: the version pushed once this release's canary has traffic (its own entry follows
   * with kind `healthy` and `supersedes` naming this one).
   */
  supersededBy?: string;
  /** For the newer release of a `superseded` pair: the version it supersedes (pushed mid-flight, not queued). */
  supersedes?: string;
  /** A non-approver clicks Approve first (the gateway must refuse it). */
  intruderClick?: boolean;
}

/** What the script is made of. */
export interface ScriptOptions {
  seed: number;
  releases: number;
  services: number;
  namespace?: string;
  /** Major version of every release (default 1): `v<major>.<n>.0`. */
  major?: number;
}

/** The expected outcome of each kind. */
export const expectedOutcome: Record<ReleaseKind, Outcome> = {
  healthy: "promoted",
  errors5xx: "rolledBack",
  latency: "rolledBack",
  neverReady: "rolledBack",
  migration: "promoted",
  denied: "rolledBack",
  expired: "rolledBack",
  superseded: "superseded",
};

/** Relative frequency of each kind once every kind has appeared. */
const weightOf: Record<ReleaseKind, number> = { healthy: 4, errors5xx: 2, latency: 1, neverReady: 1, migration: 2, denied: 1, expired: 1, superseded: 1 };

/** Name of the i-th service (0-based). */
export const serviceName = (i: number): string => `svc-${String(i + 1).padStart(2, "0")}`;

function pick(rng: Rng): ReleaseKind {
  const total = Object.values(weightOf).reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (const k of ReleaseKind) {
    x -= weightOf[k];
    if (x < 0) return k;
  }
  return "healthy";
}

/**
 * The script: `releases` releases (a `superseded` pair counts two) spread round-robin over `services`
 * services, every kind at least once when there is room, in a seeded order. Versions count up per service.
 */
export function buildScript(o: ScriptOptions): ScriptedRelease[] {
  if (o.services < 1 || o.releases < 1) throw new Error(`soak script: need at least one service and one release (got ${o.services} services, ${o.releases} releases)`);
  const rng = createRng(hashSeed("soak-script", o.seed));
  const namespace = o.namespace ?? "soak";
  const kinds: ReleaseKind[] = [];
  let count = 0;
  const room = (k: ReleaseKind) => (k === "superseded" ? 2 : 1);
  for (const k of ReleaseKind) {
    if (count + room(k) > o.releases) continue;
    kinds.push(k);
    count += room(k);
  }
  while (count < o.releases) {
    const k = pick(rng);
    if (count + room(k) > o.releases) continue;
    kinds.push(k);
    count += room(k);
  }
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as ReleaseKind, kinds[i] as ReleaseKind];
  }
  const next = new Array<number>(o.services).fill(0);
  const out: ScriptedRelease[] = [];
  const make = (svc: number, kind: ReleaseKind, extra: Partial<ScriptedRelease> = {}): ScriptedRelease => {
    const service = serviceName(svc);
    next[svc] = (next[svc] ?? 0) + 1;
    const version = `v${o.major ?? 1}.${next[svc]}.0`;
    return { index: out.length, service, namespace, version, releaseId: `${namespace}/${service}/${version}`, kind, expect: expectedOutcome[kind], ...extra };
  };
  for (const [i, kind] of kinds.entries()) {
    const svc = i % o.services;
    const approves = kind === "healthy" || kind === "migration";
    const r = make(svc, kind, approves && rng.next() < 0.25 ? { intruderClick: true } : {});
    out.push(r);
    if (kind === "superseded") {
      const newer = make(svc, "healthy", { supersedes: r.version });
      r.supersededBy = newer.version;
      out.push(newer);
    }
  }
  return out;
}

/** The kind a release is judged as for time to decision (the newer of a superseded pair has its own). */
export const timingKind = (r: ScriptedRelease): string => (r.supersedes === undefined ? r.kind : "supersedes");

/** Counts of each kind, for the report. */
export function kindsOf(script: readonly ScriptedRelease[]): Record<ReleaseKind, number> {
  const out = Object.fromEntries(ReleaseKind.map((k) => [k, 0])) as Record<ReleaseKind, number>;
  for (const r of script) if (r.supersedes === undefined) out[r.kind]++;
  return out;
}
