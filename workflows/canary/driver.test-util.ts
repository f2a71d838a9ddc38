/**
 * Test driver for the canary machine: every event goes through a persisted snapshot that is
 * JSON.stringify'd and parsed back (as the orchestrator stores it), then `transition()`.
 */
import { initialTransition, transition } from "xstate";
import { commandsOf, type WorkflowCommand } from "./commands.js";
import { canaryMachine } from "./machine.js";
import { statePath } from "./state-path.js";
import { ev, makeInput, verdict } from "./fixtures.test-util.js";
import type { CanaryContext, CanaryInput, WorkflowEvent } from "./types.js";

type Snapshot = ReturnType<typeof initialTransition<typeof canaryMachine>>[0];

export interface Driver {
  readonly state: string;
  readonly ctx: CanaryContext;
  readonly done: boolean;
  /** Commands of the last event. */
  readonly last: WorkflowCommand[];
  /** Every command so far. */
  readonly all: WorkflowCommand[];
  /** The persisted snapshot as the host stores it (JSON text). */
  persisted(): string;
  send(event: WorkflowEvent): WorkflowCommand[];
}

export function drive(input: CanaryInput = makeInput()): Driver {
  let [snap, actions] = initialTransition(canaryMachine, input);
  let last = commandsOf(actions);
  const all = [...last];
  return {
    get state() {
      return statePath(snap.value as Parameters<typeof statePath>[0]);
    },
    get ctx() {
      return snap.context;
    },
    get done() {
      return snap.status === "done";
    },
    get last() {
      return last;
    },
    get all() {
      return all;
    },
    persisted() {
      return JSON.stringify(canaryMachine.getPersistedSnapshot(snap));
    },
    send(event) {
      const restored: Snapshot = canaryMachine.resolveState(JSON.parse(this.persisted()));
      [snap, actions] = transition(canaryMachine, restored, event);
      last = commandsOf(actions);
      all.push(...last);
      return last;
    },
  };
}

/** Subjects (and the weight for set_weights) of commands, for compact assertions. */
export function names(cmds: readonly WorkflowCommand[]): string[] {
  return cmds.map((c) => (c.subject === "cmd.traffic.set_weights" ? `set_weights:${c.data.canaryWeight}` : c.subject));
}

/** Provision, become Ready and confirm the first step's weight; returns the time reached. */
export function toFirstBake(r: Driver, t: number, weight = 10): number {
  r.send(ev.provisioned(t + 1000));
  r.send(ev.ready(t + 2000));
  r.send(ev.weightsSet(t + 3000, weight));
  return t + 3000;
}

/** One passing interval ending `intervalMs` after `t`, then confirm `nextWeight` if given. */
export function passInterval(r: Driver, t: number, nextWeight?: number, intervalMs = 60_000): number {
  r.send(ev.analysis(t + intervalMs, [verdict.pass()], intervalMs));
  if (nextWeight === undefined) return t + intervalMs;
  r.send(ev.weightsSet(t + intervalMs + 1000, nextWeight));
  return t + intervalMs + 1000;
}
