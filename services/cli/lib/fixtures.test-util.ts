// Test data for the CLI (not a test file): releases advanced through the orchestrator's real
// `applyEvent`, so the KV entries and evt.release.* messages have exactly the orchestrator's shape.
import { message } from "../../../schemas/codec.js";
import type { VMRolloutSpec } from "../../../schemas/rollout.js";
import { Event, releaseIdOf } from "../../../schemas/subjects.js";
import { applyEvent, type ApplyResult, type HostCommand, type StoredRelease } from "../../orchestrator/host.js";
import { ev, makeRequest, makeSpec, NAME, NS, T0, verdict } from "../../../workflows/canary/fixtures.test-util.js";
import type { ReleaseEvent, ReleaseEventFeed, ReleaseStore } from "./ports.js";

export { ev, makeSpec, T0, verdict };

/** A workflow event as the test fixtures build it. */
type FixtureEvent = { type: string; data: unknown; now: number };

/** One release driven through the orchestrator's host. */
export interface ScriptedRelease {
  releaseId: string;
  version: string;
  /** The KV value now. */
  readonly stored: StoredRelease;
  /** Every message the host asked to publish, in order. */
  readonly published: HostCommand[];
  /** Apply one event (from `ev`) at its `now`. */
  send(e: FixtureEvent): ApplyResult;
  /** The evt.release.* messages of the host, as envelopes (what `siskin watch` receives). */
  releaseEvents(from?: number): ReleaseEvent[];
}

/** Start a release (evt.release.requested at `now`) of `version` with `spec`. */
export function scriptRelease(o: { spec?: VMRolloutSpec; version?: string; now?: number } = {}): ScriptedRelease {
  const version = o.version ?? "v1.1.0";
  const releaseId = releaseIdOf(NS, NAME, version);
  let n = 0;
  let stored: StoredRelease | null = null;
  const published: HostCommand[] = [];
  const times: number[] = [];
  const wrap = (e: FixtureEvent) =>
    message(e.type as typeof Event.releaseRequested, { id: `${releaseId}#in${++n}`, occurredAt: new Date(e.now).toISOString(), releaseId, data: e.data as never });
  const send = (e: FixtureEvent): ApplyResult => {
    const internal = e.type === "tick" || e.type.startsWith("siskin.");
    const r = applyEvent(stored, (internal ? { type: e.type } : wrap(e)) as never, e.now);
    stored = r.stored;
    published.push(...r.commands);
    for (let i = 0; i < r.commands.length; i++) times.push(e.now);
    return r;
  };
  send({ type: Event.releaseRequested, data: makeRequest(o.spec ?? makeSpec(), version), now: o.now ?? T0 });
  return {
    releaseId,
    version,
    get stored() {
      if (stored === null) throw new Error("no stored release");
      return stored;
    },
    published,
    send,
    releaseEvents(from = 0) {
      return published
        .map((c, i) => ({ c, at: times[i] ?? T0 }))
        .slice(from)
        .filter(({ c }) => c.subject.startsWith("evt.release."))
        .map(({ c, at }) => message(c.subject as typeof Event.releaseProgressed, { id: c.msgId, occurredAt: new Date(at).toISOString(), releaseId: c.releaseId, data: c.data as never }) as ReleaseEvent);
    },
  };
}

/** The ticker's clock event. */
export function tick(now: number): FixtureEvent {
  return { type: "tick", data: undefined, now };
}

/** Provision, Ready, 10 % confirmed: the release bakes step 1. */
export function toFirstStep(r: ScriptedRelease, t = T0): number {
  r.send(ev.provisioned(t + 1000, r.version));
  r.send(ev.ready(t + 2000, true, r.version));
  r.send(ev.weightsSet(t + 3000, 10));
  return t + 3000;
}

/** An in-memory ReleaseStore over scripted releases or raw values (read live: later changes show). */
export function memoryStore(entries: Record<string, unknown> | ScriptedRelease[]): ReleaseStore & { gets: number } {
  const all = (): Array<[string, unknown]> => (Array.isArray(entries) ? entries.map((r) => [r.releaseId, r.stored]) : Object.entries(entries));
  const self = {
    gets: 0,
    async list() {
      return all().map(([key, value]) => ({ key, value }));
    },
    async get(releaseId: string) {
      self.gets++;
      return all().find(([key]) => key === releaseId)?.[1] ?? null;
    },
  };
  return self;
}

/** A feed the test pushes events into; iteration ends on `stop()` or `end()`. */
export function fakeFeed(): ReleaseEventFeed & { push(...e: ReleaseEvent[]): void; end(): void; stopped: boolean; waiting(): boolean } {
  const queue: ReleaseEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let waiting = false;
  const self = {
    stopped: false,
    push(...e: ReleaseEvent[]) {
      queue.push(...e);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    waiting: () => waiting,
    async stop() {
      self.stopped = true;
      self.end();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<ReleaseEvent> {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (ended) return;
        waiting = true;
        await new Promise<void>((r) => (wake = r));
        waiting = false;
        wake = undefined;
      }
    },
  };
  return self;
}

/** From baking step 1 to `evt.release.completed` (promoted): three passing steps, then the rollback window. */
export function toPromoted(r: ScriptedRelease, t: number): number {
  for (const next of [50, 100]) {
    r.send(ev.analysis((t += 60_000), [verdict.pass()], 60_000, r.version));
    r.send(ev.weightsSet((t += 1000), next));
  }
  r.send(ev.analysis((t += 60_000), [verdict.pass()], 60_000, r.version));
  r.send(tick((t += 400_000)));
  return t;
}
