// The `siskin` command: a composition root. Each sub-command lives in ./commands/<name>.ts and
// exports `register(program)`; add it to the list in ./commands/index.ts.
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { commandModules, modulesFor, type CommandModule } from "./commands/index.js";

/** The program with the commands of `modules` registered (default: all). */
export async function buildProgram(modules: readonly CommandModule[] = commandModules): Promise<Command> {
  const program = new Command("siskin")
    .description("Progressive delivery for KubeVirt virtual machines in an Istio mesh")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  for (const m of await Promise.all(modules.map((mod) => mod.load()))) m.register(program);
  return program;
}

/**
 * Run the CLI with `argv` (as process.argv); exits the process on error. `modules` are the commands
 * on offer: the product's by default; a development checkout adds the simulated world's (sim/cli/main.ts).
 */
export async function runCli(argv: string[], modules: readonly CommandModule[] = commandModules): Promise<void> {
  try {
    await (await buildProgram(modulesFor(argv, modules))).parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(0);
    if (typeof e.exitCode === "number" && e.code?.startsWith("commander.")) process.exit(e.exitCode);
    process.stderr.write(`siskin: ${e.message ?? String(err)}\n`);
    process.exit(typeof e.exitCode === "number" ? e.exitCode : 1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli(process.argv);
}
