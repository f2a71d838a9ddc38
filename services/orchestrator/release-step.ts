/**
 * One event applied to one release, durably: load with revision → flush a leftover outbox → skip
 * an event already applied → `applyEvent` → save the new record *with* its outbox (revision-checked)
 * → publish the outbox (msgIds `${releaseId}:${seq}`, JetStream drops repeats) → clear the outbox.
 * A crash anywhere repeats work harmlessly and never loses a command: the outbox is persisted
 * before anything is published, and the next handler of the release publishes it again.
 */
import { applyEvent, inspect, type ApplyOptions, type AuditEntry, type HostCommand, type HostEvent } from "./host.js";
import type { OrchestratorMetrics } from "./metrics.js";
import type { CommandPublisher, FaultHooks, Log, ReleaseStore, ReleaseValue } from "./ports.js";
import { remember } from "./store.js";
import { isConflict, retryOnConflict } from "../runtime/conflict.js";
import { Event } from "../../schemas/subjects.js";

/** What the processor needs. */
export interface StepDeps {
  releases: ReleaseStore;
  publisher: CommandPublisher;
  /** Epoch ms; the time stamped on every event. */
  clock: () => number;
  metrics: OrchestratorMetrics;
  log: Log;
  /** Load/apply/save attempts before giving up with a retryable error. */
  maxAttempts: number;
  faults?: FaultHooks;
}

/** The outcome of {@link ReleaseStep}. */
export interface StepResult {
  /** applied: saved and published; unchanged: nothing to do; duplicate: applied before; missing: no such release. */
  outcome: "applied" | "unchanged" | "duplicate" | "missing";
  /** The release after the event (null when missing). */
  value: ReleaseValue | null;
  /** Its state, whether it is final, and its context. */
  view: ReturnType<typeof inspect> | null;
  /** Audit entries the event added. */
  audit: AuditEntry[];
}

/** Options of one step: the host's, and the time to stamp (default: the clock). */
export type StepOptions = ApplyOptions & { now?: number };

/**
 * Applies one event to one release; see the module doc. `key` identifies the event among the
 * release's processed ones (null for ticks, which are never redelivered).
 */
export type ReleaseStep = (releaseId: string, event: HostEvent, key: string | null, opts?: StepOptions) => Promise<StepResult>;

/** Create the processor. */
export function createReleaseStep(deps: StepDeps): ReleaseStep {
  const { releases, metrics } = deps;

  const publishAll = async (cmds: readonly HostCommand[]) => {
    for (const c of cmds) {
      const r = await deps.publisher.publish(c);
      metrics.published.inc({ subject: c.subject, duplicate: String(r.duplicate) });
    }
  };

  const attempt = async (releaseId: string, event: HostEvent, key: string | null, opts: StepOptions): Promise<StepResult> => {
    let rec = await releases.load(releaseId);
    if (rec === null && event.type !== Event.releaseRequested) return { outcome: "missing", value: null, view: null, audit: [] };
    if (rec !== null && rec.value.outbox.length > 0) {
      // A previous handler saved but did not finish publishing (or clearing): publish again.
      deps.log.info({ releaseId, commands: rec.value.outbox.length }, "publishing a release's leftover outbox");
      await publishAll(rec.value.outbox);
      deps.faults?.afterPublish?.(releaseId, key ?? event.type);
      const cleared: ReleaseValue = { ...rec.value, outbox: [] };
      rec = { value: cleared, revision: await releases.update(releaseId, cleared, rec.revision) };
    }
    if (rec !== null && key !== null && rec.value.processed.includes(key)) {
      return { outcome: "duplicate", value: rec.value, view: null, audit: [] };
    }
    const now = opts.now ?? deps.clock();
    const r = applyEvent(rec?.value ?? null, event, now, opts.queuedBehind === undefined ? {} : { queuedBehind: opts.queuedBehind });
    const view = { state: r.state, done: r.done, context: r.context };
    if (!r.changed) return { outcome: r.redelivered ? "duplicate" : "unchanged", value: rec?.value ?? null, view, audit: [] };
    const processed = rec?.value.processed ?? [];
    const next: ReleaseValue = { ...r.stored, processed: key === null ? processed : remember(processed, key) };
    const revision = rec === null ? await releases.create(releaseId, next) : await releases.update(releaseId, next, rec.revision);
    deps.faults?.afterSave?.(releaseId, key ?? event.type);
    for (const a of r.audit) metrics.transitions.inc({ to: a.to });
    if (r.commands.length === 0) return { outcome: "applied", value: next, view, audit: r.audit };
    await publishAll(r.commands);
    deps.faults?.afterPublish?.(releaseId, key ?? event.type);
    const cleared: ReleaseValue = { ...next, outbox: [] };
    try {
      await releases.update(releaseId, cleared, revision);
    } catch (err) {
      // Another handler loaded the release meanwhile: it publishes (deduped) and clears the outbox itself.
      if (!isConflict(err)) throw err;
      return { outcome: "applied", value: next, view, audit: r.audit };
    }
    return { outcome: "applied", value: cleared, view, audit: r.audit };
  };

  return (releaseId, event, key, opts = {}) =>
    retryOnConflict(
      {
        attempts: deps.maxAttempts,
        what: `release ${releaseId}: ${event.type}`,
        onRetry: (attempt) => deps.log.debug({ releaseId, event: event.type, attempt }, "revision conflict; reloading the release"),
      },
      () => attempt(releaseId, event, key, opts),
    );
}
