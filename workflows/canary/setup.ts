/**
 * The machine's implementations, registered by name (`setup`) straight from the modules that
 * define them: the guard table of guards.ts, and the effect tables of effects-*.ts. Each effect
 * (`Fx`, see effect.ts) runs inside `enqueueActions`: the patch is assigned and the commands are
 * enqueued as `emit*` actions carrying `{subject, data}`. The `emit*` actions do nothing when run:
 * `transition()` returns them and the host publishes them; the machine never does I/O.
 */
import { enqueueActions, setup } from "xstate";
import type { ControlAction } from "../../schemas/control.js";
import { commandAction, commandActionNames, type CommandActionName, type WorkflowCommand } from "./commands.js";
import { initialContext } from "./context.js";
import type { Effect, Fx } from "./effect.js";
import { flowEffects } from "./effects-flow.js";
import { rollbackEffects } from "./effects-rollback.js";
import { stepEffects } from "./effects-step.js";
import { trafficEffects } from "./effects-traffic.js";
import { vmEffects } from "./effects-vm.js";
import { guards, isControl } from "./guards.js";
import type { CanaryContext, CanaryInput, WorkflowEvent } from "./types.js";

type G = (ctx: CanaryContext, ev: WorkflowEvent) => boolean;
type GuardArgs = { context: CanaryContext; event: WorkflowEvent };

/** What `enqueueActions` gives us, narrowed to what effects need. */
interface Enqueue {
  (action: { type: CommandActionName; params: WorkflowCommand }): void;
  assign: (patch: Partial<CanaryContext>) => void;
}

/** Assign an effect's patch and enqueue its commands, in order. */
function run(enqueue: Enqueue, e: Effect): void {
  if (Object.keys(e.patch).length > 0) enqueue.assign(e.patch);
  for (const c of e.emit) enqueue(commandAction(c));
}

/** One effect as an `enqueueActions` action of this machine. */
const effectAction = (f: Fx) =>
  enqueueActions<CanaryContext, WorkflowEvent, undefined, WorkflowEvent, never, never, never, never, never>(({ context, event, enqueue }) =>
    run(enqueue as unknown as Enqueue, f(context, event)),
  );

/** Each effect of `table` as an action under the same name. */
function effectActions<T extends Record<string, Fx>>(table: T): { [K in keyof T]: ReturnType<typeof effectAction> } {
  return Object.fromEntries(Object.entries(table).map(([name, f]) => [name, effectAction(f)])) as { [K in keyof T]: ReturnType<typeof effectAction> };
}

/** Each guard of `table` as an xstate guard under the same name. */
function guardFunctions<T extends Record<string, G>>(table: T): { [K in keyof T]: (args: GuardArgs) => boolean } {
  return Object.fromEntries(Object.entries(table).map(([name, g]) => [name, ({ context, event }: GuardArgs) => g(context, event)])) as { [K in keyof T]: (args: GuardArgs) => boolean };
}

/** The `emit*` actions: markers `transition()` returns for the host to publish. */
const emitActions = Object.fromEntries(Object.values(commandActionNames).map((name) => [name, () => undefined])) as Record<CommandActionName, () => void>;

/** The canary machine's setup: types, guards and named actions. */
export const canarySetup = setup({
  types: {
    context: {} as CanaryContext,
    events: {} as WorkflowEvent,
    input: {} as CanaryInput,
  },
  guards: {
    ...guardFunctions(guards),
    control: ({ event }: GuardArgs, params: { action: ControlAction }) => isControl(event, params.action),
  },
  actions: {
    ...emitActions,
    ...effectActions({ ...vmEffects, ...stepEffects, ...trafficEffects, ...rollbackEffects, ...flowEffects }),
  },
});

/** Build the context from the input (kept here so the machine file is config only). */
export const contextFromInput = ({ input }: { input: CanaryInput }): CanaryContext => initialContext(input);
