/**
 * The engine of `siskin replay`: runs a trace through the real statechart, host and judge with a
 * simulated clock (a tick every `tickSeconds` of trace time), the simulated workers of
 * replay-world.ts answering the commands. Pure: the CLI reads the file and prints the result.
 */
import { Compile } from "typebox/compile";
import type { PayloadOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { ReleaseOutcome } from "../../schemas/release.js";
import { resolveRollout } from "../../schemas/rollout-defaults.js";
import { releaseIdOf, Event } from "../../schemas/subjects.js";
import { Trace, type TraceEvent } from "../../schemas/trace.js";
import { applyEvent, type ApplyResult, type HostEvent, type StoredRelease } from "./host.js";
import { createWorld, envelopeOf, judgeNextWindow, nextWindowEnd, react, traceMessages, type World } from "./replay-world.js";

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
}

const traceValidator = Compile(Trace);

/** Validate a parsed trace; throws SISKIN_ERR_INVALID_CONFIG listing the first problems with their paths. */
export function parseTrace(raw: unknown, source = "trace"): Trace {
  if (traceValidator.Check(raw)) return raw;
  const problems = [...traceValidator.Errors(raw)].slice(0, 8).map((e) => `${e.instancePath || "/"}: ${e.message}`);
  throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `${source} is not a valid replay trace (see docs/replay.md): ${problems.join("; ")}`);
}

function offsetMs(at: number | string, start: number): number {
  return typeof at === "number" ? Math.round(at * 1000) : Date.parse(at) - start;
}

/** The last event plus the longest the plan can take (every step's bake, deadlines, the rollback window). */
function horizonMs(trace: Trace, lastEventMs: number): number {
  const r = resolveRollout(trace.rollout.spec);
  const bakes = r.steps.reduce((sum, s) => sum + (s.bakeIntervals ?? 1) * r.intervalMs, 0);
  const gates = r.steps.reduce((sum, s) => sum + (s.approval === undefined ? 0 : (s.approval.timeoutSeconds ?? 3600) * 1000), 0);
  return lastEventMs + bakes + gates + r.progressDeadlineMs + r.rollbackWindowMs + 3 * r.intervalMs;
}

/** Run a trace; never throws for what the release does, only for an invalid trace. */
export function replay(trace: Trace): ReplayResult {
  const start = Date.parse(trace.startAt ?? DEFAULT_START);
  const { namespace, name, spec } = trace.rollout;
  const releaseId = releaseIdOf(namespace, name, trace.version);
  const events = trace.events
    .map((e, i) => ({ e, i, at: offsetMs(e.at, start) }))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  const bad = events.find((x) => !Number.isFinite(x.at) || x.at < 0);
  if (bad !== undefined) {
    throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `trace event ${bad.i} (${bad.e.kind}) is at ${String(bad.e.at)}, before the start ${new Date(start).toISOString()}`);
  }
  const metrics = events.filter((x): x is { e: Extract<TraceEvent, { kind: "metrics" }>; i: number; at: number } => x.e.kind === "metrics").map((x) => ({ at: start + x.at, entry: x.e }));
  const world: World = createWorld(trace, releaseId, start, metrics);
  const tickMs = Math.round((trace.tickSeconds ?? 1) * 1000);
  const endMs = trace.durationSeconds !== undefined ? trace.durationSeconds * 1000 : horizonMs(trace, events.at(-1)?.at ?? 0);
  if (endMs / tickMs > MAX_TICKS) {
    throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `trace would take ${Math.ceil(endMs / tickMs)} ticks (limit ${MAX_TICKS}): set a larger tickSeconds or a shorter durationSeconds`);
  }

  let stored: StoredRelease | null = null;
  let last: ApplyResult | null = null;
  const timeline: TimelineEntry[] = [];
  const commands: ReplayCommand[] = [];
  const secs = (ms: number) => Math.round((ms - start) / 10) / 100;

  const record = (r: ApplyResult, ev: HostEvent) => {
    const verdicts =
      ev.type === Event.analysisCompleted
        ? (ev.data as PayloadOf<typeof Event.analysisCompleted>).verdicts.map((v) => ({ metric: v.metric, verdict: v.verdict, reason: v.reason, canary: v.canary, stable: v.stable }))
        : undefined;
    for (const a of r.audit) {
      timeline.push({
        t: secs(a.at),
        time: new Date(a.at).toISOString(),
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
    const state = (last as ApplyResult | null)?.state ?? "new";
    const weight = (last as ApplyResult | null)?.context.canaryWeight ?? 0;
    const reason = `approval ${x.requestId} refused by the approval-gateway: ${x.reason}`;
    timeline.push({ t: secs(x.at), time: new Date(x.at).toISOString(), event: "approval refused", from: state, to: state, reason, weight, actor: `slack:${x.by}` });
  };

  let lastNow = start;
  const deliver = (first: HostEvent, now: number) => {
    lastNow = now;
    const pending: HostEvent[] = [first];
    for (let guard = 0; pending.length > 0; guard++) {
      if (guard > 10_000) throw new SiskinError("SISKIN_ERR_INTERNAL", `replay of ${releaseId} did not settle at ${new Date(now).toISOString()}: the workflow and the simulated workers keep answering each other`);
      const ev = pending.shift()!;
      const r = applyEvent(stored, ev, now);
      stored = r.stored;
      last = r;
      if (!r.changed) continue;
      record(r, ev);
      for (const c of r.commands) pending.push(...react(world, c, now));
    }
  };

  const request = { rollout: { namespace, name }, spec, version: trace.version, tag: trace.version, requestedBy: { kind: "cli" as const, id: "replay" }, idempotencyKey: `replay-${trace.version}` };
  deliver(envelopeOf(world, Event.releaseRequested, request, start), start);

  let next = 0;
  let t = 0;
  const done = () => (last as ApplyResult | null)?.done === true;
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
  const r = last as ApplyResult | null;
  return {
    releaseId,
    outcome: r?.context.outcome ?? "unfinished",
    state: r?.state ?? "new",
    reason: r?.context.lastReason ?? "",
    seconds: secs(done() ? lastNow : Math.min(start + t - tickMs, start + endMs)),
    timeline,
    commands,
  };
}
