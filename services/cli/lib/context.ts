/**
 * The global options of the people-facing commands (`--nats`, `--json`, `--no-color`), who is
 * acting, and running a command's logic from a commander action.
 */
import { userInfo } from "node:os";
import { CommanderError, type Command } from "commander";
import type { OrchestratorControl } from "../../../schemas/control.js";
import { Exit, outcomeOfError, type CliOutcome } from "./errors.js";

/** Who acts (the schemas' Actor). */
export type CliActor = OrchestratorControl["actor"];

/** The default NATS URL when neither --nats nor SISKIN_NATS_SERVERS is set. */
export const DEFAULT_NATS = "nats://127.0.0.1:4222";

/** Global options, resolved. */
export interface CliGlobals {
  /** NATS server URLs. */
  nats: string[];
  json: boolean;
  /** Colors on: not --no-color, NO_COLOR unset, stdout a terminal. */
  color: boolean;
}

/** Adds `--nats`, `--json` and `--no-color` to the program once (they may be given before or after the sub-command). */
export function ensureGlobalOptions(program: Command): void {
  if (program.options.some((o) => o.long === "--nats")) return;
  program
    .option("--nats <url>", `NATS server URL(s), comma-separated (default: SISKIN_NATS_SERVERS or ${DEFAULT_NATS})`)
    .option("--json", "machine-readable output (JSON; JSON lines for watch)")
    .option("--no-color", "plain text without ANSI colors (also NO_COLOR=1)");
}

/** The global options of `cmd`'s program, with the environment's defaults. */
export function globalsOf(cmd: Command, env: Record<string, string | undefined>, isTty: boolean): CliGlobals {
  const o = cmd.optsWithGlobals<{ nats?: string; json?: boolean; color?: boolean }>();
  const raw = o.nats ?? (env.SISKIN_NATS_SERVERS !== undefined && env.SISKIN_NATS_SERVERS !== "" ? env.SISKIN_NATS_SERVERS : DEFAULT_NATS);
  const nats = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const json = o.json === true;
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return { nats, json, color: o.color !== false && !noColorEnv && !json && isTty };
}

/** Who acts from this shell: `$SISKIN_ACTOR`, else the OS user name. */
export function cliActor(env: Record<string, string | undefined>, osUser: () => string = () => userInfo().username): CliActor {
  const fromEnv = env.SISKIN_ACTOR?.trim();
  let id = fromEnv !== undefined && fromEnv !== "" ? fromEnv : "";
  if (id === "") {
    try {
      id = osUser();
    } catch {
      id = env.USER ?? env.LOGNAME ?? "unknown";
    }
  }
  return { kind: "cli", id: id.slice(0, 200) || "unknown" };
}

/**
 * Runs a command's logic and prints its outcome; a non-zero code becomes a CommanderError (main.ts
 * prints its message after `siskin:` and exits with its code). Errors thrown by `run` are reported the same way.
 */
export async function runOutcome(name: string, run: () => Promise<CliOutcome>): Promise<void> {
  let out: CliOutcome;
  try {
    out = await run();
  } catch (err) {
    out = outcomeOfError(err);
  }
  if (out.stdout !== "") process.stdout.write(out.stdout);
  if (out.code !== Exit.ok) throw new CommanderError(out.code, `siskin.${name}`, out.stderr.trimEnd() || `${name} failed`);
  if (out.stderr !== "") process.stderr.write(out.stderr);
}
