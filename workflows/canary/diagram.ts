/**
 * The canary statechart as a Mermaid `stateDiagram-v2`, read from the machine definition itself
 * (states, initial states, `on` and `always` transitions with their guards), so the picture in
 * docs/decisions/canary-workflow-semantics.md cannot drift from the chart: `npm run schemas:export`
 * writes it and test/schemas-export.test.ts fails when it is stale. Transitions without a target
 * (actions only) are left out; the root's own transitions are drawn from "any live state", and
 * the transitions between two states share one arrow.
 */
import type { AnyStateMachine } from "xstate";
import { canaryMachine } from "./machine.js";

/** The slice of an xstate StateNode the diagram reads. */
interface Node {
  id: string;
  key: string;
  type: string;
  states: Record<string, Node>;
  initial?: { target: ReadonlyArray<{ id: string }> } | undefined;
  transitions: Map<string, Transition[]>;
  always?: Transition[] | undefined;
}
interface Transition {
  eventType: string;
  guard?: unknown;
  target?: ReadonlyArray<{ id: string }> | undefined;
}

/** A guard as the chart names it: `name`, `name(param)`, `!name`. */
function guardLabel(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === "string") return guard;
  if (typeof guard === "function" && "guards" in guard && Array.isArray(guard.guards) && guard.name === "not") {
    return `!${guard.guards.map(guardLabel).join(" && ")}`;
  }
  if (typeof guard === "object" && guard !== null && "type" in guard) {
    const params = "params" in guard && guard.params !== undefined ? Object.values(guard.params as object).join(", ") : "";
    return params === "" ? String(guard.type) : `${String(guard.type)}(${params})`;
  }
  throw new Error(`canary diagram: cannot name guard ${String(guard)}; give it a name in setup()`);
}

/** Mermaid state ids: the state's path without the machine id, `.` → `_`. */
const idOf = (machineId: string, stateId: string) => (stateId === machineId ? "anyLiveState" : stateId.slice(machineId.length + 1).replace(/\./g, "_"));

/** Render `machine` (default the canary machine) as Mermaid `stateDiagram-v2` source. */
export function statechartMermaid(machine: AnyStateMachine = canaryMachine): string {
  const root = machine.root as unknown as Node;
  const lines = ["stateDiagram-v2"];
  // One arrow per (source, target); its label lists every event [guard] that takes it.
  const edges = new Map<string, string[]>();

  const edgesOf = (node: Node) => {
    const all = [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
    for (const t of all) {
      for (const target of t.target ?? []) {
        const event = t.eventType === "" ? "always" : t.eventType;
        const guard = guardLabel(t.guard);
        const arrow = `${idOf(root.id, node.id)} --> ${idOf(root.id, target.id)}`;
        const label = `${event}${guard === undefined ? "" : ` [${guard}]`}`;
        const labels = edges.get(arrow) ?? [];
        if (!labels.includes(label)) labels.push(label);
        edges.set(arrow, labels);
      }
    }
  };

  const declare = (node: Node, indent: string) => {
    const children = Object.values(node.states);
    const initial = node.initial?.target[0];
    if (initial !== undefined) lines.push(`${indent}[*] --> ${idOf(root.id, initial.id)}`);
    for (const child of children) {
      const id = idOf(root.id, child.id);
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state "${child.key}" as ${id} {`);
        declare(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${id}`);
        if (child.type === "final") lines.push(`${indent}${id} --> [*]`);
      }
      edgesOf(child);
    }
  };

  declare(root, "  ");
  lines.push(`  state "any live state" as anyLiveState`);
  edgesOf(root);
  const arrows = [...edges].map(([arrow, labels]) => `  ${arrow} : ${labels.join("<br/>")}`);
  return `${[...lines, ...arrows].join("\n")}\n`;
}
