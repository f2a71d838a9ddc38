// The k8s-watcher: one reflector per kind, each change turned into facts by the pure evaluators and
// published with deterministic ids. VMRollouts are synced first: the VMI facts read the version
// label and the drift check the managed VirtualService from them.
import { SiskinError } from "../../schemas/errors.js";
import type { RolloutPhase, VMRolloutSpec, VMRolloutStatus } from "../../schemas/rollout.js";
import { rolloutSpecProblems } from "../../schemas/rollout-validate.js";
import { describeState } from "../../workflows/canary/status.js";
import { SiskinLabel } from "../../schemas/rollout-index.js";
import { compactMeta, compactRollout, compactVmi, compactVmim, keepEvent } from "./compact.js";
import { factsFor, type Fact } from "./evaluate.js";
import { driftFor, rolloutFacts } from "./evaluate-rollout.js";
import { eventFacts, migrationFactsFor } from "./evaluate-vmim.js";
import { metaOf, type KubeEvent, type KubeObject, type RolloutObject, type Vmi, type Vmim } from "./kube-types.js";
import type { CursorStore, FactSink, KubeWatch, ReleaseIndex, RolloutStatuses } from "./ports.js";
import { problemsMessage, specValidityStatus } from "./spec-validity.js";
import { WatchedKind } from "./ports.js";
import { createReflector, type ChangeContext, type Log, type Reflector, type ReflectorHandler } from "./reflector.js";

/** Dependencies of the watcher. */
export interface WatcherDeps {
  kube: KubeWatch;
  facts: FactSink;
  cursors: CursorStore;
  index: ReleaseIndex;
  log: Log;
  /** Where the `SpecValid` condition is written; absent: specs are checked and logged only. */
  statuses?: RolloutStatuses;
  /** Milliseconds since the epoch (condition times). */
  now?: () => number;
  /** Namespaces to watch; empty or absent: all namespaces. */
  namespaces?: readonly string[];
  /** Waits `ms` (backoff); tests pass an immediate one. */
  delay(ms: number): Promise<void>;
  backoffMs?: readonly number[];
}

/** The running watcher. */
export interface Watcher {
  /** Syncs VMRollouts, then every other kind; resolves when all are watching. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Handles one change of `kind` (what the reflectors call; exposed for tests). */
  handle(kind: WatchedKind, prev: KubeObject | undefined, next: KubeObject | undefined, ctx: ChangeContext): Promise<void>;
}

/** Build the watcher from its ports. */
export function createService(deps: WatcherDeps): Watcher {
  const reflectors = new Map<WatchedKind, Reflector[]>();
  const cached = (kind: WatchedKind) => (reflectors.get(kind) ?? []).flatMap((r) => r.values());
  const byUid = (kind: WatchedKind, uid: string) => (reflectors.get(kind) ?? []).map((r) => r.get(uid)).find((o) => o !== undefined);
  const scopes: Array<string | undefined> = deps.namespaces !== undefined && deps.namespaces.length > 0 ? [...deps.namespaces] : [undefined];

  function rolloutOf(namespace: string, name: string): RolloutObject | undefined {
    return cached(WatchedKind.rollouts).find((r) => r.metadata?.namespace === namespace && r.metadata?.name === name);
  }

  function versionLabelOf(vmi: KubeObject | undefined): string {
    const { namespace } = metaOf(vmi);
    const rollout = vmi?.metadata?.labels?.[SiskinLabel.rollout];
    const spec = rollout === undefined ? undefined : (rolloutOf(namespace, rollout)?.spec as VMRolloutSpec | undefined);
    return spec?.versionLabel ?? "version";
  }

  async function publish(facts: Fact[]): Promise<void> {
    for (const fact of facts) {
      try {
        const r = await deps.facts.publish(fact);
        deps.log.info({ subject: fact.subject, id: fact.id, duplicate: r.duplicate }, `k8s-watcher: published ${fact.subject}`);
      } catch (err) {
        // A fact the schema refuses (e.g. a VMRollout whose spec the CRD let through) would refuse forever.
        if (err instanceof SiskinError && !err.retryable) {
          deps.log.error({ subject: fact.subject, id: fact.id, err }, `k8s-watcher: dropped ${fact.subject} ${fact.id}: ${err.message}`);
          continue;
        }
        throw err;
      }
    }
  }

  /** The phase a rollout whose spec is valid again shows: its last release's, else Idle. */
  const phaseOf = (status: VMRolloutStatus | undefined): RolloutPhase =>
    status?.releaseId !== undefined && status.state !== undefined ? describeState(status.state).phase : "Idle";

  /** Write the SpecValid condition of `obj`'s generation when it does not say so yet (conflicts re-read). */
  async function recordValidity(obj: RolloutObject, problems: ReturnType<typeof rolloutSpecProblems>): Promise<void> {
    const { namespace, name } = metaOf(obj);
    const generation = obj.metadata?.generation ?? 0;
    let current: RolloutObject | null = obj;
    for (let attempt = 1; attempt <= 3 && current !== null; attempt++) {
      // A newer spec is on its way through the watch; it will be judged then.
      if ((current.metadata?.generation ?? 0) !== generation) return;
      const at = new Date(deps.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
      const status = specValidityStatus(current.status, generation, problems, at, phaseOf(current.status));
      if (status === null || deps.statuses === undefined) return;
      if ((await deps.statuses.replaceStatus(current, status)) === "written") {
        deps.log.info({ rollout: `${namespace}/${name}`, generation, valid: problems.length === 0 }, `k8s-watcher: VMRollout ${namespace}/${name} SpecValid=${problems.length === 0 ? "True" : "False"}`);
        return;
      }
      current = await deps.statuses.get(namespace, name);
    }
  }

  async function rolloutChanged(prev: KubeObject | undefined, next: KubeObject | undefined, ctx: ChangeContext): Promise<void> {
    if (next === undefined || (next as RolloutObject).spec === undefined) return;
    const problems = rolloutSpecProblems((next as RolloutObject).spec);
    const { namespace, name } = metaOf(next);
    if (problems.length > 0 && (prev === undefined || prev.metadata?.generation !== next.metadata?.generation)) {
      deps.log.warn({ rollout: `${namespace}/${name}`, problems }, `k8s-watcher: VMRollout ${namespace}/${name} is invalid: ${problemsMessage(problems)}`);
    }
    try {
      await recordValidity(next as RolloutObject, problems);
    } catch (err) {
      deps.log.warn({ rollout: `${namespace}/${name}`, err }, `k8s-watcher: could not write the SpecValid condition of ${namespace}/${name}: ${(err as Error).message}`);
    }
    // An invalid spec is no news for a release in flight: it keeps the spec it started from.
    if (problems.length === 0) await publish(rolloutFacts(prev, next, { bootstrap: ctx.bootstrap }));
  }

  async function drift(vs: KubeObject): Promise<Fact[]> {
    const { namespace, name } = metaOf(vs);
    const out: Fact[] = [];
    for (const r of cached(WatchedKind.rollouts)) {
      const spec = r.spec as VMRolloutSpec | undefined;
      if (r.metadata?.namespace !== namespace || spec?.virtualService?.name !== name) continue;
      const rollout = r.metadata?.name ?? "";
      const entry = await deps.index.get(namespace, rollout);
      if (entry === null) continue;
      out.push(...driftFor({ vs, rollout: { name: rollout, spec }, entry }));
    }
    return out;
  }

  async function handle(kind: WatchedKind, prev: KubeObject | undefined, next: KubeObject | undefined, ctx: ChangeContext): Promise<void> {
    switch (kind) {
      case WatchedKind.rollouts:
        return rolloutChanged(prev, next, ctx);
      case WatchedKind.vmis:
        return publish(factsFor(prev as Vmi | undefined, next as Vmi | undefined, { versionLabel: versionLabelOf(next ?? prev) }));
      case WatchedKind.vmims: {
        // The first list is history; the VMIs' own migrationState reports migrations in progress.
        if (ctx.bootstrap || next === undefined) return;
        const { namespace } = metaOf(next);
        const vmiName = (next as Vmim).spec?.vmiName;
        const vmi = cached(WatchedKind.vmis).find((v) => v.metadata?.namespace === namespace && v.metadata?.name === vmiName);
        return publish(migrationFactsFor(prev as Vmim | undefined, next as Vmim, vmi as Vmi | undefined, { versionLabel: versionLabelOf(vmi) }));
      }
      case WatchedKind.events: {
        if (ctx.bootstrap || next === undefined) return;
        const uid = (next as KubeEvent).involvedObject?.uid;
        const vmi = uid === undefined ? undefined : byUid(WatchedKind.vmis, uid);
        return publish(eventFacts(next as KubeEvent, vmi as Vmi | undefined, { versionLabel: versionLabelOf(vmi) }));
      }
      case WatchedKind.virtualServices:
        if (next === undefined) return;
        return publish(await drift(next));
      default: {
        const never: never = kind;
        throw new Error(`k8s-watcher: unknown kind ${String(never)}`);
      }
    }
  }

  const handlers: Record<WatchedKind, Omit<ReflectorHandler, "onChange">> = {
    [WatchedKind.rollouts]: { compact: compactRollout },
    [WatchedKind.vmis]: { compact: compactVmi },
    [WatchedKind.vmims]: { compact: compactVmim },
    [WatchedKind.events]: { compact: compactMeta, keep: keepEvent },
    [WatchedKind.virtualServices]: { compact: compactMeta },
  };
  const reflectorDeps = { kube: deps.kube, cursors: deps.cursors, log: deps.log, delay: deps.delay, ...(deps.backoffMs ? { backoffMs: deps.backoffMs } : {}) };
  for (const kind of Object.values(WatchedKind)) {
    const handler = { ...handlers[kind], onChange: (p: KubeObject | undefined, n: KubeObject | undefined, c: ChangeContext) => handle(kind, p, n, c) };
    reflectors.set(kind, scopes.map((namespace) => createReflector(namespace === undefined ? { kind } : { kind, namespace }, reflectorDeps, handler)));
  }
  const startAll = (kinds: WatchedKind[]) => Promise.all(kinds.flatMap((k) => reflectors.get(k) ?? []).map((r) => r.start()));

  return {
    async start() {
      await startAll([WatchedKind.rollouts]);
      await startAll([WatchedKind.vmis]);
      await startAll([WatchedKind.vmims, WatchedKind.events, WatchedKind.virtualServices]);
    },
    async stop() {
      await Promise.all([...reflectors.values()].flat().map((r) => r.stop()));
    },
    handle,
  };
}
