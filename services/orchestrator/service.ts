/**
 * The orchestrator: a stateless handler of events (`Consumer.orchestrator`), operator commands
 * (`Consumer.orchestratorControl`) and ticks. Each event goes to the release(s) it concerns
 * (event-routing.ts), through the durable load → apply → save → publish → clear path (release-step.ts),
 * and the live-release index follows (slots.ts). Nothing is kept in memory between calls, so any
 * number of replicas can run: revision-checked writes make exactly one win each race.
 */
import type { MessageOf } from "../../schemas/codec.js";
import { isDecideAction } from "../../schemas/control.js";
import { SiskinError } from "../../schemas/errors.js";
import { Command, Event, rolloutKey, type Subject } from "../../schemas/subjects.js";
import { acceptedSubjects } from "../../workflows/canary/index.js";
import type { HostEvent } from "./host.js";
import type { EventOutcome, OrchestratorMetrics } from "./metrics.js";
import { createAdmission } from "./admit.js";
import type { CommandPublisher, FaultHooks, Log, ReleaseStore, RolloutIndexStore, RolloutSpecs } from "./ports.js";
import { createReleaseStep } from "./release-step.js";
import { routeEvent, type RolloutIndex, type RolloutSlot } from "./event-routing.js";
import { createSlots } from "./slots.js";

/** What the orchestrator is built from. */
export interface ServiceDeps {
  releases: ReleaseStore;
  index: RolloutIndexStore;
  publisher: CommandPublisher;
  /** The API server's VMRollouts, read when a release is requested (the spec never comes from a message). */
  rollouts?: RolloutSpecs;
  metrics: OrchestratorMetrics;
  log: Log;
  /** Epoch ms (default Date.now); tests pass a controlled clock. */
  clock?: () => number;
  /** Load/apply/save attempts per release before a retryable failure (default 5). */
  maxAttempts?: number;
  /** Releases ticked at once (default 8). */
  tickConcurrency?: number;
  /** Crash simulation for tests. */
  faults?: FaultHooks;
}

/** What one tick did. */
export interface TickReport {
  /** Rollouts with a live release. */
  live: number;
  /** Live releases that were due and got a tick. */
  due: number;
  /** Ticks that changed a release. */
  applied: number;
  /** Releases whose tick failed (logged; retried on the next tick). */
  failed: number;
}

/** The orchestrator's handlers. */
export interface OrchestratorService {
  /** Handle one decoded message of either consumer; resolves = ack, throws = retry (or dead letter). */
  handle(msg: MessageOf<Subject>): Promise<void>;
  /** Send `tick {now}` to every live release that has something due at `now` (default: the clock). */
  tick(now?: number): Promise<TickReport>;
}

const accepted: ReadonlySet<string> = new Set(acceptedSubjects);

async function pool<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/**
 * Operator actions by who may ask for them. Pause, resume and abort are safe and come on
 * `cmd.orchestrator.control` with a self-declared actor. Approve, reject and promote speak for a
 * person: they count only on `cmd.orchestrator.decide`, which NATS lets only the workers that
 * authenticate people publish; on the control subject they are refused (dead-lettered with the
 * reason). A decide message then enters the workflow as the control event it is.
 */
export function authenticatedControl(msg: MessageOf<Subject>): MessageOf<Subject> {
  if (msg.type === Command.orchestratorControl) {
    const { action, actor } = (msg as MessageOf<typeof Command.orchestratorControl>).data;
    if (isDecideAction(action)) {
      throw new SiskinError(
        "SISKIN_ERR_UNAUTHENTICATED",
        `${action} by ${actor.kind}:${actor.id} refused: the actor is self-declared on ${Command.orchestratorControl}; ` +
          `approve, reject and promote count only when a channel authenticated the person (Slack, the release API with a personal token)`,
      );
    }
    return msg;
  }
  if (msg.type === Command.orchestratorDecide) {
    const { groups: _groups, ...data } = (msg as MessageOf<typeof Command.orchestratorDecide>).data;
    return { ...msg, type: Command.orchestratorControl, data } as MessageOf<typeof Command.orchestratorControl>;
  }
  return msg;
}

/** Build the orchestrator from its ports. */
export function createService(deps: ServiceDeps): OrchestratorService {
  const clock = deps.clock ?? (() => Date.now());
  const maxAttempts = deps.maxAttempts ?? 5;
  const { metrics, log, index } = deps;
  const step = createReleaseStep({ releases: deps.releases, publisher: deps.publisher, clock, metrics, log, maxAttempts, ...(deps.faults ? { faults: deps.faults } : {}) });
  const slots = createSlots({ index, releases: deps.releases, step, clock, log, maxAttempts });
  const count = (subject: string, outcome: EventOutcome) => metrics.events.inc({ subject, outcome });

  /** The slots event routing needs for `msg`: only its rollout's when it names one, else all. */
  const indexFor = async (msg: MessageOf<Subject>): Promise<RolloutIndex> => {
    const rollout = (msg.data as { rollout?: { namespace?: unknown; name?: unknown } }).rollout;
    if (typeof rollout?.namespace === "string" && typeof rollout.name === "string") {
      const e = await index.get(rollout.namespace, rollout.name);
      return e === null ? {} : { [rolloutKey(rollout.namespace, rollout.name)]: e.value.slot };
    }
    const out: Record<string, RolloutSlot> = {};
    for (const e of await index.list()) out[rolloutKey(e.value.slot.rollout.namespace, e.value.slot.rollout.name)] = e.value.slot;
    return out;
  };

  const admit = createAdmission({ rollouts: deps.rollouts, publisher: deps.publisher });

  const handle = async (received: MessageOf<Subject>) => {
    if (received.type === Command.orchestratorRelease) {
      const res = await admit(received as MessageOf<typeof Command.orchestratorRelease>);
      log.info({ releaseId: res.releaseId, generation: res.generation, duplicate: res.duplicate }, "release request admitted with the VMRollout's spec from the API server");
      count(received.type, res.duplicate ? "duplicate" : "applied");
      return;
    }
    const msg = authenticatedControl(received);
    if (msg.type === Event.releaseRequested) {
      const res = await slots.request(msg as MessageOf<typeof Event.releaseRequested>);
      count(msg.type, res.outcome === "missing" ? "unrouted" : res.outcome);
      return;
    }
    if (!accepted.has(msg.type)) {
      log.warn({ subject: msg.type, id: msg.id }, "the canary workflow does not take this subject; acked unhandled");
      count(msg.type, "unrouted");
      return;
    }
    const targets = msg.releaseId !== undefined ? [msg.releaseId] : routeEvent(msg, await indexFor(msg));
    if (targets.length === 0) {
      log.debug({ subject: msg.type, id: msg.id }, "event concerns no live release");
      count(msg.type, "unrouted");
      return;
    }
    for (const releaseId of targets) {
      const res = await step(releaseId, msg as unknown as HostEvent, msg.id);
      if (res.outcome === "missing") {
        log.warn({ subject: msg.type, id: msg.id, releaseId }, "event names a release that is not stored; acked unhandled");
        count(msg.type, "unrouted");
        continue;
      }
      count(msg.type, res.outcome);
      await slots.afterRelease(releaseId, res);
    }
  };

  const tick = async (at?: number): Promise<TickReport> => {
    const now = at ?? clock();
    const end = metrics.tickDuration.startTimer();
    const report: TickReport = { live: 0, due: 0, applied: 0, failed: 0 };
    try {
      const entries = (await index.list()).filter((e) => e.value.slot.live !== null);
      report.live = entries.length;
      const due = entries.filter((e) => e.value.nextWakeAt === undefined || e.value.nextWakeAt <= now);
      report.due = due.length;
      await pool(due, deps.tickConcurrency ?? 8, async (e) => {
        const releaseId = e.value.slot.live?.releaseId as string;
        try {
          const res = await step(releaseId, { type: "tick" }, null, { now });
          count("tick", res.outcome === "missing" ? "unrouted" : res.outcome);
          if (res.outcome === "applied") report.applied++;
          await slots.afterRelease(releaseId, res);
        } catch (err) {
          report.failed++;
          count("tick", "failed");
          log.warn({ err, releaseId }, "tick failed; retried on the next tick");
        }
      });
    } finally {
      end();
    }
    return report;
  };

  return { handle, tick };
}
