// The `siskin` command: a composition root. Each sub-command lives in ./commands/<name>.ts and
// exports `register(program)`; add it to the list below.
import { Command } from "commander";
import { commands } from "./commands/index.js";

export function buildProgram(): Command {
  const program = new Command("siskin")
    .description("Progressive delivery for KubeVirt virtual machines in an Istio mesh")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      const e = err as { code?: string; exitCode?: number; message?: string };
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") process.exit(0);
      if (typeof e.exitCode === "number" && e.code?.startsWith("commander.")) process.exit(e.exitCode);
      process.stderr.write(`siskin: ${e.message ?? String(err)}\n`);
      process.exit(typeof e.exitCode === "number" ? e.exitCode : 1);
    });
}
