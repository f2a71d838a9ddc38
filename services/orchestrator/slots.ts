/**
 * The live-release index (KV `Bucket.rollouts`) kept in step with the releases: a request claims
 * the rollout's slot (starting, or queueing behind and superseding the live release); every handled
 * event refreshes the live release's fields; a release that finishes frees the slot and starts the
 * queued one. Every write is revision-checked, and every step can be repeated: a crash between the
 * release save and the index write is repaired by the next event or tick of the release.
 */
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { LiveReleaseEntry } from "../../schemas/rollout-index.js";
import { Event, releaseIdOf } from "../../schemas/subjects.js";
import { inspect, type HostEvent } from "./host.js";
import { entryFromContext, entryFromRequest } from "./index-entry.js";
import type { IndexValue, Log, ReleaseStore, RolloutIndexStore, Versioned } from "./ports.js";
import { isConflict, type ReleaseStep, type StepResult } from "./release-step.js";
import { onReleaseFinished, onReleaseRequested, type RolloutSlot } from "./event-routing.js";

/** What the slot keeper needs. */
export interface SlotDeps {
  index: RolloutIndexStore;
  releases: ReleaseStore;
  step: ReleaseStep;
  clock: () => number;
  log: Log;
  maxAttempts: number;
}

/** The slot keeper. */
export interface Slots {
  /** Handle `evt.release.requested`: claim the slot, supersede, create the release. */
  request(msg: MessageOf<typeof Event.releaseRequested>): Promise<StepResult>;
  /** Bring the index in line with a release just handled (refresh, free, start the queued one). */
  afterRelease(releaseId: string, res: StepResult): Promise<void>;
}

/** The index fields of an entry, without the slot. */
function fieldsOf(v: IndexValue): Partial<LiveReleaseEntry> {
  const { slot: _slot, ...fields } = v;
  return fields;
}

const sameFields = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);

function needsWrite(have: IndexValue, want: IndexValue, now: number): boolean {
  const { nextWakeAt: haveWake, ...h } = have;
  const { nextWakeAt: wantWake, ...w } = want;
  if (!sameFields(h, w)) return true;
  // The wake-up time only moves when it must come sooner, or was due and has been handled.
  if (wantWake === undefined) return haveWake !== undefined;
  return haveWake === undefined || wantWake < haveWake || haveWake <= now;
}

function conflictError(what: string, attempts: number): SiskinError {
  return new SiskinError("SISKIN_ERR_CONFLICT", `${what}: the rollout's index entry kept changing (${attempts} attempts); the message is retried later`);
}

/** Create the slot keeper. */
export function createSlots(deps: SlotDeps): Slots {
  const { index, releases, step, log } = deps;

  /** The index fields of `releaseId` from its stored record (minimal when it is not stored yet). */
  const fieldsOfRelease = async (live: { releaseId: string; version: string }): Promise<Partial<LiveReleaseEntry>> => {
    const rec = await releases.load(live.releaseId);
    if (rec === null) return { releaseId: live.releaseId, version: live.version };
    const v = inspect(rec.value);
    return entryFromContext(v.context, v.state, deps.clock());
  };

  const finish = async (releaseId: string, entry: Versioned<IndexValue>, outcome: string, version: string) => {
    const slot = entry.value.slot;
    const { slot: next, start } = onReleaseFinished(slot, releaseId, { outcome: outcome as Parameters<typeof onReleaseFinished>[2]["outcome"], version });
    const { namespace, name } = slot.rollout;
    if (next.live === null) {
      await index.remove(namespace, name, entry.revision);
      log.info({ releaseId, outcome }, "release finished; rollout idle");
      return null;
    }
    const fields = next.live.releaseId === slot.live?.releaseId ? fieldsOf(entry.value) : await fieldsOfRelease(next.live);
    await index.write(namespace, name, { ...fields, slot: next }, entry.revision);
    log.info({ releaseId, outcome, next: next.live.releaseId }, "release finished");
    return start?.releaseId ?? null;
  };

  const afterRelease = async (releaseId: string, first: StepResult): Promise<void> => {
    let res = first;
    for (let i = 1; i <= deps.maxAttempts; i++) {
      if (res.value === null) return;
      const view = res.view ?? inspect(res.value);
      const ctx = view.context;
      const { namespace, name } = ctx.rollout;
      try {
        const entry = await index.get(namespace, name);
        if (entry === null) {
          // A live release with no entry (its entry was removed in a race): put it back.
          if (view.done || view.state === "queued") return;
          const slot: RolloutSlot = { rollout: { namespace, name }, service: ctx.spec.service, stableVersion: ctx.stableVersion, live: { releaseId, version: ctx.version }, queued: null, keys: [] };
          await index.write(namespace, name, { ...entryFromContext(ctx, view.state, deps.clock()), slot }, 0);
          log.warn({ releaseId }, "live release was missing from the rollout index; re-added");
          return;
        }
        const slot = entry.value.slot;
        if (view.done) {
          if (slot.live?.releaseId !== releaseId && slot.queued?.releaseId !== releaseId) return;
          const started = await finish(releaseId, entry, ctx.outcome ?? "failed", ctx.version);
          if (started === null) return;
          const rec = await releases.load(started);
          if (rec === null) return;
          releaseId = started;
          res = { outcome: "unchanged", value: rec.value, view: null, audit: [] };
          continue;
        }
        if (slot.live?.releaseId !== releaseId) return;
        if (view.state === "queued") {
          // The release it waited for has finished: start it (idempotent per predecessor).
          const ev = { type: "siskin.start", stableVersion: slot.stableVersion, id: `start:${ctx.queuedBehind ?? ""}` } as HostEvent;
          res = await step(releaseId, ev, `start:${ctx.queuedBehind ?? ""}`);
          continue;
        }
        const now = deps.clock();
        const want: IndexValue = { ...entryFromContext(ctx, view.state, now), slot };
        if (!needsWrite(entry.value, want, now)) return;
        await index.write(namespace, name, want, entry.revision);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw conflictError(`release ${releaseId}: index update`, deps.maxAttempts);
  };

  const request = async (msg: MessageOf<typeof Event.releaseRequested>): Promise<StepResult> => {
    const data = msg.data;
    const { namespace, name } = data.rollout;
    const releaseId = msg.releaseId ?? releaseIdOf(namespace, name, data.version);
    const attempts = deps.maxAttempts * 2;
    for (let i = 1; i <= attempts; i++) {
      try {
        const entry = await index.get(namespace, name);
        const existing = await releases.load(releaseId);
        const { decision, slot } = onReleaseRequested(entry?.value.slot, { releaseId, data }, { exists: existing !== null });
        let queuedBehind: string | null = null;
        if (decision.kind === "duplicate") {
          const s = entry?.value.slot;
          if (existing !== null) {
            // Publish a leftover outbox and mend the index, as for any redelivery.
            const res = await step(releaseId, msg, msg.id);
            await afterRelease(releaseId, res);
            return res;
          }
          if (s?.queued?.releaseId === releaseId && s.live !== null) queuedBehind = s.live.releaseId;
          else if (s?.live?.releaseId !== releaseId) {
            log.info({ releaseId, reason: decision.reason }, "duplicate release request ignored");
            return { outcome: "duplicate", value: null, view: null, audit: [] };
          }
          // Else the slot was claimed but the release not created (a crash in between): create it now.
        } else {
          if (decision.kind === "queue") {
            queuedBehind = decision.queuedBehind;
            // Supersede first (each is idempotent), then claim the slot.
            for (const s of decision.supersede) {
              const key = `${msg.id}:supersede`;
              const ev = { type: "siskin.superseded", by: s.by, id: key } as HostEvent;
              await afterRelease(s.releaseId, await step(s.releaseId, ev, key));
            }
            const again = await index.get(namespace, name);
            if (again?.revision !== entry?.revision) continue;
          }
          const fields = slot.live?.releaseId === releaseId || entry === null ? entryFromRequest(releaseId, data) : fieldsOf(entry.value);
          await index.write(namespace, name, { ...fields, slot }, entry?.revision ?? 0);
        }
        const res = await step(releaseId, msg, msg.id, { queuedBehind });
        await afterRelease(releaseId, res);
        log.info({ releaseId, queuedBehind }, queuedBehind === null ? "release started" : "release queued");
        return res;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw conflictError(`release ${releaseId}: request`, attempts);
  };

  return { request, afterRelease };
}
