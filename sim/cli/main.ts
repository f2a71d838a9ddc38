// `siskin` in a development checkout: the product's commands plus the simulated world's (`siskin sim …`,
// `siskin demo`). The product CLI (services/cli) never imports sim/; bin/siskin.mjs starts this entry
// when sim/ is present and the product's entry otherwise (an image or a package holds no sim/).
import { pathToFileURL } from "node:url";
import { commandModules, type CommandModule } from "../../services/cli/commands/index.js";
import { runCli } from "../../services/cli/main.js";

/** The simulated world's commands, loaded lazily like the product's. */
export const simCommandModules: readonly CommandModule[] = [
  { names: ["sim"], load: () => import("./commands/sim-cluster.js") },
  { names: ["sim"], load: () => import("./commands/sim-mesh.js") },
  { names: ["sim"], load: () => import("./commands/sim-people.js") },
  { names: ["sim"], load: () => import("./commands/sim-up.js") },
  { names: ["demo"], load: () => import("./commands/demo.js") },
];

/** Every command of a development checkout: the product's first, in help order, then the simulation's. */
export const devCommandModules: readonly CommandModule[] = [...commandModules, ...simCommandModules];

/** Run `siskin` with the simulation's commands on offer. */
export function runDevCli(argv: string[]): Promise<void> {
  return runCli(argv, devCommandModules);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDevCli(process.argv);
}
