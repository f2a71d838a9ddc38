/**
 * Builders for the orchestrator's tests: in-memory stores and publisher, envelopes through the
 * codec, and the script of one whole release (the events the workers would publish).
 */
import { decode, encode, message, type MessageOf } from "../../schemas/codec.js";
import type { Subject } from "../../schemas/subjects.js";
import { CANARY, T0, ev, makeRequest, makeSpec, verdict } from "../../workflows/canary/fixtures.test-util.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { HostCommand } from "./host.js";
import { createKvIndex } from "./index-kv.js";
import { createMemoryKv, type MemoryKv } from "./memory-kv.test-util.js";
import { createOrchestratorMetrics, instrumentKv, type OrchestratorMetrics } from "./metrics.js";
import type { CommandPublisher, FaultHooks, Log, RolloutSpecs } from "./ports.js";
import { createService, type OrchestratorService } from "./service.js";
import { createKvReleaseStore } from "./store.js";

/** A log that drops everything. */
export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A publisher that behaves like JetStream's msgID dedupe: a repeated msgId is stored once. */
export interface MemoryPublisher extends CommandPublisher {
  /** Every publish call, in order. */
  calls: Array<{ cmd: HostCommand; duplicate: boolean }>;
  /** The stored messages (first publish of each msgId), in order. */
  stored: HostCommand[];
  /** Called before each publish; throw to fail it. */
  before?: (cmd: HostCommand) => void;
}

export function createMemoryPublisher(): MemoryPublisher {
  const seen = new Set<string>();
  const p: MemoryPublisher = {
    calls: [],
    stored: [],
    async publish(cmd) {
      p.before?.(cmd);
      const duplicate = seen.has(cmd.msgId);
      seen.add(cmd.msgId);
      if (!duplicate) p.stored.push(cmd);
      p.calls.push({ cmd, duplicate });
      return { duplicate };
    },
  };
  return p;
}

/** Shared state of several orchestrator instances ("replicas" or restarts). */
export interface World {
  releasesKv: MemoryKv;
  rolloutsKv: MemoryKv;
  publisher: MemoryPublisher;
  clock: { now: number };
}

export function createWorld(now = T0): World {
  return { releasesKv: createMemoryKv("siskin-releases"), rolloutsKv: createMemoryKv("siskin-rollouts"), publisher: createMemoryPublisher(), clock: { now } };
}

/** One orchestrator instance on `world`. */
export function instance(
  world: World,
  opts: { faults?: FaultHooks; maxAttempts?: number; metrics?: OrchestratorMetrics; rollouts?: RolloutSpecs } = {},
): OrchestratorService & { metrics: OrchestratorMetrics } {
  const metrics = opts.metrics ?? createOrchestratorMetrics();
  const rollouts = instrumentKv(world.rolloutsKv, "siskin-rollouts", metrics);
  const svc = createService({
    releases: createKvReleaseStore(instrumentKv(world.releasesKv, "siskin-releases", metrics)),
    index: createKvIndex(rollouts, (key, rev) => world.rolloutsKv.deleteAt(key, rev)),
    publisher: world.publisher,
    metrics,
    log: silentLog,
    clock: () => world.clock.now,
    ...(opts.maxAttempts === undefined ? {} : { maxAttempts: opts.maxAttempts }),
    ...(opts.faults === undefined ? {} : { faults: opts.faults }),
    ...(opts.rollouts === undefined ? {} : { rollouts: opts.rollouts }),
  });
  return { ...svc, metrics };
}

let n = 0;
/** A real envelope through the codec, as the consumer decodes it. */
export function envelope<S extends Subject>(subject: S, data: MessageOf<S>["data"], opts: { releaseId?: string; id?: string; at?: number } = {}): MessageOf<S> {
  const m = message(subject, {
    id: opts.id ?? `test-${process.pid}-${n++}`,
    occurredAt: new Date(opts.at ?? T0).toISOString(),
    ...(opts.releaseId === undefined ? {} : { releaseId: opts.releaseId }),
    data,
  });
  return decode(subject, encode(m)) as MessageOf<S>;
}

/** `evt.release.requested` for `version` of shop/ratings. */
export function requestFor(version = CANARY, spec: VMRolloutSpec = makeSpec()): MessageOf<"evt.release.requested"> {
  return envelope("evt.release.requested", makeRequest(spec, version), { id: `gh-delivery-${version}` });
}

/** A step of a release's script: the event the workers publish, when, and the command it answers. */
export interface ScriptStep {
  at: number;
  /** The message (absent: a tick at `at`). */
  msg?: MessageOf<Subject>;
  /** The command (subject, canary weight for set_weights) that must have been published before. */
  answers?: string;
  what: string;
}

/** The whole happy path of shop/ratings v1.1.0 (10 → 50 → 100, rollback window 300 s). */
export function happyScript(releaseId: string): ScriptStep[] {
  // Deterministic ids: the same script twice gives the same messages (a redelivery is the same id).
  let i = 0;
  const e = <S extends Subject>(x: { type: S; data: MessageOf<S>["data"]; now: number }, withId: boolean) =>
    envelope(x.type, x.data, { at: x.now, id: `worker-${releaseId}-${i++}`, ...(withId ? { releaseId } : {}) }) as MessageOf<Subject>;
  const s: ScriptStep[] = [
    { at: T0, msg: requestFor() as MessageOf<Subject>, what: "request" },
    { at: T0 + 1000, msg: e(ev.provisioned(T0 + 1000), false), answers: "cmd.vm.provision", what: "vm provisioned" },
    { at: T0 + 2000, msg: e(ev.ready(T0 + 2000), false), what: "canary ready" },
    { at: T0 + 3000, msg: e(ev.weightsSet(T0 + 3000, 10), true), answers: "set_weights:10", what: "weights 10" },
    { at: T0 + 63_000, msg: e(ev.analysis(T0 + 63_000, [verdict.pass()]), true), answers: "cmd.analysis.start", what: "analysis 1" },
    { at: T0 + 64_000, msg: e(ev.weightsSet(T0 + 64_000, 50), true), answers: "set_weights:50", what: "weights 50" },
    { at: T0 + 124_000, msg: e(ev.analysis(T0 + 124_000, [verdict.pass()]), true), what: "analysis 2" },
    { at: T0 + 125_000, msg: e(ev.weightsSet(T0 + 125_000, 100), true), answers: "set_weights:100", what: "weights 100" },
    { at: T0 + 185_000, msg: e(ev.analysis(T0 + 185_000, [verdict.pass()]), true), what: "analysis 3 (promote)" },
    { at: T0 + 485_000, answers: "cmd.analysis.stop", what: "tick after the rollback window" },
  ];
  return s;
}

/** A compact name of a published message (`set_weights:<w>` for weights). */
export function nameOf(c: { subject: string; data: unknown }): string {
  return c.subject === "cmd.traffic.set_weights" ? `set_weights:${(c.data as { canaryWeight: number }).canaryWeight}` : c.subject;
}
