/**
 * The engine of `siskin replay`: runs a trace through the real statechart, host and judge with a
 * simulated clock (a tick every `tickSeconds` of trace time), the simulated workers of
 * replay-world.ts answering the commands. Pure: the CLI reads the file and prints the result.
 */
import type { PayloadOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { ReleaseOutcome } from "../../schemas/release.js";
import { resolveRollout } from "../../schemas/rollout-defaults.js";
import { releaseIdOf, rolloutKey, Event } from "../../schemas/subjects.js";
import type { Trace, TraceEvent } from "../../schemas/trace.js";
import { applyEvent, type ApplyResult, type HostEvent, type StoredRelease } from "./host.js";
import { createWorld, envelopeOf, judgeNextWindow, nextWindowEnd, react, traceMessages, type Preflight, type World } from "./replay-world.js";
import { traceProblems } from "./trace-errors.js";
import { onReleaseFinished, onReleaseRequested, routeEvent, type RolloutIndex, type RolloutSlot } from "./event-routing.js";

/** Second 0 of a trace without `startAt`. */
export const DEFAULT_START = "2026-01-01T00:00:00Z";
/** The most simulated ticks one replay may take. */
export const MAX_TICKS = 2_000_000;

/** One decision of the release, as the replay prints it. */
export interface TimelineEntry {
  /** Seconds after the start. */
  t: number;
  time: string;
  event: string;
  from: string;
  to: string;
  reason: string;
  /** Canary weight after the transition. */
  weight: number;
  /** The release's version, when the trace holds several releases. */
  release?: string;
  actor?: string;
  /** The judged interval's verdicts, for analysis results. */
  verdicts?: Array<{ metric: string; verdict: string; reason: string; canary: number | null; stable: number | null }>;
}

/** A message the orchestrator published. */
export interface ReplayCommand {
  t: number;
  subject: string;
  msgId: string;
  data: unknown;
}

/** The result of a replay. */
export interface ReplayResult {
  releaseId: string;
  outcome: ReleaseOutcome | "unfinished";
  /** The final (or last) state. */
  state: string;
  reason: string;
  /** Seconds of trace time simulated. */
  seconds: number;
  timeline: TimelineEntry[];
  commands: ReplayCommand[];
  /** Every release of the trace, in the order they were asked for. */
  releases: ReleaseSummary[];
}


/** Validate a parsed trace; throws SISKIN_ERR_INVALID_CONFIG with one line per mistake (path, found, allowed). */
export function parseTrace(raw: unknown, source = "trace"): Trace {
  const problems = traceProblems(raw);
  if (problems.length === 0) return raw as Trace;
  throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `${source} is not a valid replay trace (see docs/replay.md):\n${problems.map((p) => `  ${p}`).join("\n")}`);
}

function offsetMs(at: number | string, start: number): number {
  return typeof at === "number" ? Math.round(at * 1000) : Date.parse(at) - start;
}

/** `500ms`, `10s`, `2m` in ms. */
function durationMs(text: string | undefined): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$/.exec(text ?? "0s");
  if (m === null) return 0;
  const n = Number(m[1]);
  return Math.round(m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000);
}

/** The last event plus the longest the plan can take (every step's bake, deadlines, the rollback window). */
function horizonMs(trace: Trace, lastEventMs: number): number {
  const r = resolveRollout(trace.rollout.spec);
  const bakes = r.steps.reduce((sum, s) => sum + (s.bakeIntervals ?? 1) * r.intervalMs, 0);
  const gates = r.steps.reduce((sum, s) => sum + (s.approval === undefined ? 0 : (s.approval.timeoutSeconds ?? 3600) * 1000), 0);
  return lastEventMs + bakes + gates + r.progressDeadlineMs + r.rollbackWindowMs + 3 * r.intervalMs;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** The provisioner's preflight of the VM template (the CLI wires services/vm-provisioner's). */
  preflight?: Preflight;
}

/** How one release of the trace ended. */
export interface ReleaseSummary {
  releaseId: string;
  version: string;
  outcome: ReleaseOutcome | "unfinished";
  state: string;
  reason: string;
}

/**
 * Run a trace; never throws for what the releases do, only for an invalid trace. Several releases of
 * the rollout (`release` entries) follow the orchestrator's rollout rules (router.ts): a newer request
 * supersedes the live release and starts, from step 1, once that one has ended.
 */
export function replay(trace: Trace, opts: ReplayOptions = {}): ReplayResult {
  const start = Date.parse(trace.startAt ?? DEFAULT_START);
  const { namespace, name, spec } = trace.rollout;
  const firstId = releaseIdOf(namespace, name, trace.version);
  type Timed = { e: TraceEvent; i: number; at: number };
  const events: Timed[] = trace.events
    .flatMap((e, i) => (typeof e.at === "object" ? [] : [{ e, i, at: offsetMs(e.at, start) }]))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  // Step-relative entries wait until the live release's step has its weight confirmed.
  const relative = trace.events.flatMap((e, i) => (typeof e.at === "object" ? [{ e, i, step: e.at.step, afterMs: durationMs(e.at.after) }] : []));
  const anchors = new Map<string, number>();
  const bad = events.find((x) => !Number.isFinite(x.at) || x.at < 0);
  if (bad !== undefined) {
    throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `trace event ${bad.i} (${bad.e.kind}) is at ${String(bad.e.at)}, before the start ${new Date(start).toISOString()}`);
  }
  const metrics = events.filter((x): x is { e: Extract<TraceEvent, { kind: "metrics" }>; i: number; at: number } => x.e.kind === "metrics").map((x) => ({ at: start + x.at, entry: x.e }));
  const world: World = createWorld(trace, firstId, start, metrics);
  const tickMs = Math.round((trace.tickSeconds ?? 1) * 1000);
  const releasesAsked = 1 + events.filter((x) => x.e.kind === "release").length;
  const relativeMs = relative.reduce((sum, x) => sum + x.afterMs, 0);
  const endMs = trace.durationSeconds !== undefined ? trace.durationSeconds * 1000 : horizonMs(trace, (events.at(-1)?.at ?? 0) + relativeMs) * releasesAsked;
  if (endMs / tickMs > MAX_TICKS) {
    throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `trace would take ${Math.ceil(endMs / tickMs)} ticks (limit ${MAX_TICKS}): set a larger tickSeconds or a shorter durationSeconds`);
  }

  const stored = new Map<string, StoredRelease>();
  const last = new Map<string, ApplyResult>();
  const order: string[] = [];
  let slot: RolloutSlot | undefined;
  const timeline: TimelineEntry[] = [];
  const commands: ReplayCommand[] = [];
  const secs = (ms: number) => Math.round((ms - start) / 10) / 100;
  const many = releasesAsked > 1;

  const record = (r: ApplyResult, ev: HostEvent) => {
    const verdicts =
      ev.type === Event.analysisCompleted
        ? (ev.data as PayloadOf<typeof Event.analysisCompleted>).verdicts.map((v) => ({ metric: v.metric, verdict: v.verdict, reason: v.reason, canary: v.canary, stable: v.stable }))
        : undefined;
    for (const a of r.audit) {
      timeline.push({
        t: secs(a.at),
        time: new Date(a.at).toISOString(),
        ...(many ? { release: r.context.version } : {}),
        event: a.event,
        from: a.from,
        to: a.to,
        reason: a.reason,
        weight: r.context.canaryWeight,
        ...(a.actor === undefined ? {} : { actor: `${a.actor.kind}:${a.actor.id}` }),
        ...(verdicts === undefined ? {} : { verdicts }),
      });
    }
    for (const c of r.commands) commands.push({ t: secs(r.audit[0]?.at ?? start), subject: c.subject, msgId: c.msgId, data: c.data });
  };

  // A click the approval-gateway refuses never reaches the workflow; the timeline still shows it.
  const recordRefusal = (x: World["refusals"][number]) => {
    const l = last.get(world.releaseId);
    const state = l?.state ?? "new";
    const reason = `approval ${x.requestId} refused by the approval-gateway: ${x.reason}`;
    timeline.push({ t: secs(x.at), time: new Date(x.at).toISOString(), ...(many ? { release: world.version } : {}), event: "approval refused", from: state, to: state, reason, weight: l?.context.canaryWeight ?? 0, actor: `slack:${x.by}` });
  };

  const live = () => order.filter((id) => last.get(id)?.done !== true);
  const index = (): RolloutIndex => (slot === undefined ? {} : { [rolloutKey(namespace, name)]: slot });
  const targetsOf = (ev: HostEvent): string[] => {
    if (ev.type === "tick") return live();
    if ("releaseId" in ev && typeof ev.releaseId === "string") return [ev.releaseId];
    return routeEvent(ev as Parameters<typeof routeEvent>[0], index());
  };

  let lastNow = start;
  let next = 0;
  const deliver = (first: HostEvent, now: number, target?: string) => {
    lastNow = now;
    const pending: Array<{ ev: HostEvent; to: string[] }> = [{ ev: first, to: target === undefined ? targetsOf(first) : [target] }];
    for (let guard = 0; pending.length > 0; guard++) {
      if (guard > 10_000) throw new SiskinError("SISKIN_ERR_INTERNAL", `replay of ${firstId} did not settle at ${new Date(now).toISOString()}: the workflow and the simulated workers keep answering each other`);
      const { ev, to } = pending.shift()!;
      for (const id of to) {
        const before = stored.get(id);
        if (before === undefined || last.get(id)?.done === true) continue;
        const r = applyEvent(before, ev, now);
        stored.set(id, r.stored);
        last.set(id, r);
        if (!r.changed) continue;
        anchor(id, r);
        record(r, ev);
        for (const c of r.commands) for (const m of react(world, c, now, opts.preflight)) pending.push({ ev: m, to: targetsOf(m) });
        if (r.done && slot !== undefined) {
          // The orchestrator's rollout rules: the queued release starts once the live one ended.
          const finished = onReleaseFinished(slot, id, { outcome: r.context.outcome ?? "failed", version: r.context.version });
          slot = finished.slot;
          if (finished.start !== null) {
            world.releaseId = finished.start.releaseId;
            world.version = slot.live?.version ?? world.version;
            world.stableVersion = finished.start.stableVersion;
            pending.push({ ev: { type: "siskin.start", stableVersion: finished.start.stableVersion }, to: [finished.start.releaseId] });
          }
        }
      }
    }
  };

  /**
   * The first time a release's step has its weight confirmed (its bake starts) anchors the trace
   * entries relative to that step, for the live release: they are put in the timeline of entries.
   */
  function anchor(id: string, r: ApplyResult): void {
    const bake = r.context.bake;
    if (bake === null || id !== world.releaseId) return;
    const step = r.context.stepIndex + 1;
    const key = `${id}#${step}`;
    if (anchors.has(key)) return;
    anchors.set(key, bake.startedAt);
    for (const x of relative.filter((y) => y.step === step)) {
      const at = bake.startedAt - start + x.afterMs;
      const pos = events.findIndex((y, k) => k >= next && y.at > at);
      events.splice(pos < 0 ? events.length : pos, 0, { e: x.e, i: x.i, at });
      if (x.e.kind === "metrics") {
        world.metrics.push({ at: start + at, entry: x.e });
        world.metrics.sort((a, b) => a.at - b.at);
      }
    }
  }

  /** A release request, decided as the orchestrator's router does (start, or queue and supersede). */
  const ask = (version: string, now: number) => {
    const releaseId = releaseIdOf(namespace, name, version);
    const request = { rollout: { namespace, name }, spec, version, tag: version, requestedBy: { kind: "cli" as const, id: "replay" }, idempotencyKey: `replay-${version}` };
    const { decision, slot: next } = onReleaseRequested(slot, { releaseId, data: request }, { exists: stored.has(releaseId) });
    slot = next;
    if (decision.kind === "duplicate") return;
    const ev = envelopeOf(world, Event.releaseRequested, request, now, releaseId);
    const r = applyEvent(null, ev, now, decision.kind === "queue" ? { queuedBehind: decision.queuedBehind } : {});
    stored.set(releaseId, r.stored);
    last.set(releaseId, r);
    order.push(releaseId);
    record(r, ev);
    for (const c of r.commands) for (const m of react(world, c, now, opts.preflight)) deliver(m, now);
    if (decision.kind === "queue") for (const s of decision.supersede) deliver({ type: "siskin.superseded", by: s.by }, now, s.releaseId);
  };

  ask(trace.version, start);

  let t = 0;
  const done = () => order.length === releasesAsked && live().length === 0;
  for (; t <= endMs && !done(); t += tickMs) {
    const now = start + t;
    // Trace facts and analysis windows that are due, in time order; then the tick.
    for (;;) {
      const te = events[next];
      const teAt = te !== undefined && te.at <= t ? start + te.at : Number.POSITIVE_INFINITY;
      const we = nextWindowEnd(world);
      const tw = we !== null && we <= now ? we : Number.POSITIVE_INFINITY;
      if (teAt === Number.POSITIVE_INFINITY && tw === Number.POSITIVE_INFINITY) break;
      if (teAt <= tw) {
        next++;
        if (te!.e.kind === "release") {
          ask(te!.e.version, teAt);
          continue;
        }
        const refused = world.refusals.length;
        for (const m of traceMessages(world, te!.e, teAt)) deliver(m, teAt);
        for (const x of world.refusals.slice(refused)) recordRefusal(x);
      } else {
        deliver(judgeNextWindow(world)!, tw);
      }
      if (done()) break;
    }
    if (!done()) deliver({ type: "tick" }, now);
  }
  const releases: ReleaseSummary[] = order.map((id) => {
    const r = last.get(id);
    return { releaseId: id, version: r?.context.version ?? "", outcome: r?.context.outcome ?? "unfinished", state: r?.state ?? "new", reason: r?.context.lastReason ?? "" };
  });
  // The result is the newest release's (the one the rollout ends with); every release is in `releases`.
  const newest = releases.at(-1)!;
  return {
    releaseId: newest.releaseId,
    outcome: newest.outcome,
    state: newest.state,
    reason: newest.reason,
    seconds: secs(done() ? lastNow : Math.min(start + t - tickMs, start + endMs)),
    timeline,
    commands,
    releases,
  };
}
