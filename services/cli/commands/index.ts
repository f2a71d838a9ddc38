// Every sub-command of `siskin`, in help order. Each module exports `register(program)`.
// Modules are loaded lazily: `siskin status` loads only status.ts (and what it imports), so a
// command starts without loading every SDK; help and unknown commands load them all.
import type { Command } from "commander";

/** A command module and the top-level command names it registers. */
export interface CommandModule {
  names: readonly string[];
  load: () => Promise<{ register: (program: Command) => void }>;
}

export const commandModules: readonly CommandModule[] = [
  { names: ["route"], load: () => import("./route-plan.js") },
  { names: ["provision"], load: () => import("./provision.js") },
  { names: ["serve"], load: () => import("./serve.js") },
  { names: ["status"], load: () => import("./status.js") },
  { names: ["watch"], load: () => import("./watch.js") },
  { names: ["approve", "reject", "pause", "resume", "abort", "promote"], load: () => import("./control.js") },
  { names: ["release"], load: () => import("./release.js") },
  { names: ["replay"], load: () => import("./replay.js") },
];

/**
 * The modules to load for `argv` (process.argv): those of `all` naming its first command word, else all.
 * `all` defaults to the product's commands; the simulated world's entry (sim/cli/main.ts) adds its own.
 */
export function modulesFor(argv: readonly string[], all: readonly CommandModule[] = commandModules): readonly CommandModule[] {
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const known = new Set(all.flatMap((m) => m.names));
  const first = words.find((w) => known.has(w));
  // `help <cmd>` and option values that look like words fall back to loading everything.
  if (first === undefined || words[0] === "help" || words[0] !== first) return all;
  return all.filter((m) => m.names.includes(first));
}
