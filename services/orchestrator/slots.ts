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
import type { ReleaseStep, StepResult } from "./release-step.js";
import { retryOnConflict } from "../runtime/conflict.js";
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

  /** One pass over the index for a release just handled: null when settled, else the release to settle next. */
  type Next = { releaseId: string; res: StepResult } | null;
  const settle = async (releaseId: string, res: StepResult): Promise<Next> => {
    if (res.value === null) return null;
    const view = res.view ?? inspect(res.value);
    const ctx = view.context;
    const { namespace, name } = ctx.rollout;
    const entry = await index.get(namespace, name);
    if (entry === null) {
      // A live release with no entry (its entry was removed in a race): put it back.
      if (view.done || view.state === "queued") return null;
      const slot: RolloutSlot = { rollout: { namespace, name }, service: ctx.spec.service, stableVersion: ctx.stableVersion, live: { releaseId, version: ctx.version }, queued: null, keys: [] };
      await index.write(namespace, name, { ...entryFromContext(ctx, view.state, deps.clock()), slot }, 0);
      log.warn({ releaseId }, "live release was missing from the rollout index; re-added");
      return null;
    }
    const slot = entry.value.slot;
    if (view.done) {
      if (slot.live?.releaseId !== releaseId && slot.queued?.releaseId !== releaseId) return null;
      const started = await finish(releaseId, entry, ctx.outcome ?? "failed", ctx.version);
      if (started === null) return null;
      const rec = await releases.load(started);
      if (rec === null) return null;
      return { releaseId: started, res: { outcome: "unchanged", value: rec.value, view: null, audit: [] } };
    }
    if (slot.live?.releaseId !== releaseId) return null;
    if (view.state === "queued") {
      // The release it waited for has finished: start it (idempotent per predecessor).
      const ev = { type: "siskin.start", stableVersion: slot.stableVersion, id: `start:${ctx.queuedBehind ?? ""}` } as HostEvent;
      return { releaseId, res: await step(releaseId, ev, `start:${ctx.queuedBehind ?? ""}`) };
    }
    const now = deps.clock();
    const want: IndexValue = { ...entryFromContext(ctx, view.state, now), slot };
    if (!needsWrite(entry.value, want, now)) return null;
    await index.write(namespace, name, want, entry.revision);
    return null;
  };

  const afterRelease = async (releaseId: string, first: StepResult): Promise<void> => {
    let next: Next = { releaseId, res: first };
    // Each hop settles one release (finish frees the slot, the queued one starts); a few at most.
    for (let hop = 1; next !== null; hop++) {
      if (hop > deps.maxAttempts) throw new SiskinError("SISKIN_ERR_CONFLICT", `release ${releaseId}: the rollout index did not settle in ${deps.maxAttempts} steps; the message is retried later`);
      const { releaseId: id, res }: { releaseId: string; res: StepResult } = next;
      next = await retryOnConflict<Next>({ attempts: deps.maxAttempts, what: `release ${id}: rollout index update` }, () => settle(id, res));
    }
  };

  const request = async (msg: MessageOf<typeof Event.releaseRequested>): Promise<StepResult> => {
    const data = msg.data;
    const { namespace, name } = data.rollout;
    const releaseId = msg.releaseId ?? releaseIdOf(namespace, name, data.version);
    // Twice the attempts: superseding writes the index too, so a request can race itself once.
    return retryOnConflict({ attempts: deps.maxAttempts * 2, what: `release ${releaseId}: request (the rollout's index entry kept changing)` }, async () => {
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
          if (again?.revision !== entry?.revision) throw new SiskinError("SISKIN_ERR_CONFLICT", `rollout ${namespace}/${name}: its index entry changed while ${releaseId} superseded the live release`);
        }
        const fields = slot.live?.releaseId === releaseId || entry === null ? entryFromRequest(releaseId, data) : fieldsOf(entry.value);
        await index.write(namespace, name, { ...fields, slot }, entry?.revision ?? 0);
      }
      const res = await step(releaseId, msg, msg.id, { queuedBehind });
      await afterRelease(releaseId, res);
      log.info({ releaseId, queuedBehind }, queuedBehind === null ? "release started" : "release queued");
      return res;
    });
  };

  return { request, afterRelease };
}
