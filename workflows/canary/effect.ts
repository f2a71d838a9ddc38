/**
 * Effects: what an action does, as data — a context patch and commands to emit. Every action of
 * the machine is a pure `Fx`; `setup.ts` turns each into an `enqueueActions` that assigns the
 * patch and enqueues the commands, so `transition()` returns the commands unexecuted.
 */
import type { WorkflowCommand } from "./commands.js";
import type { CanaryContext, WorkflowEvent } from "./types.js";

/** A context patch and the commands to emit, in order. */
export interface Effect {
  patch: Partial<CanaryContext>;
  emit: WorkflowCommand[];
}

/** A pure action. */
export type Fx = (ctx: CanaryContext, ev: WorkflowEvent) => Effect;

/** An effect from a patch and commands. */
export function fx(patch: Partial<CanaryContext> = {}, emit: WorkflowCommand[] = []): Effect {
  return { patch, emit };
}

/** Nothing to do. */
export const none: Fx = () => fx();

/** Run effects in order, each seeing the context the previous ones produced. */
export function chain(...fns: Fx[]): Fx {
  return (ctx, ev) => {
    let cur = ctx;
    const patch: Partial<CanaryContext> = {};
    const emit: WorkflowCommand[] = [];
    for (const f of fns) {
      const e = f(cur, ev);
      Object.assign(patch, e.patch);
      emit.push(...e.emit);
      cur = { ...cur, ...e.patch };
    }
    return { patch, emit };
  };
}
