// `siskin replay <trace.json>`: runs a recorded or hand-written trace through the real canary
// statechart, host and judge with a simulated clock, offline, and prints the decision timeline.
// The logic is `runReplay` (no process access); `register` wires it. Format: docs/replay.md.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ReleaseOutcome } from "../../../schemas/release.js";
import { resolveRollout } from "../../../schemas/rollout-defaults.js";
import { parseTrace, replay, type ReplayResult, type TimelineEntry } from "../../orchestrator/replay.js";
import { palette, type Palette } from "../lib/color.js";
import { runOutcome } from "../lib/context.js";
import { Exit, type CliOutcome } from "../lib/errors.js";
import { templatePreflight } from "../lib/replay-preflight.js";
import { renderTable } from "../lib/table.js";

/** Outcomes `--expect` accepts: a release outcome, or `unfinished` (the trace ended first). */
export const EXPECTABLE = [...ReleaseOutcome, "unfinished"] as const;

/** Options of `siskin replay`. */
export interface ReplayOptions {
  file: string;
  json: boolean;
  expect?: string | undefined;
  color: boolean;
}

function outcomeColor(p: Palette, outcome: string): string {
  if (outcome === "promoted") return p.green(outcome);
  if (outcome === "unfinished" || outcome === "superseded") return p.yellow(outcome);
  return p.red(outcome);
}

function clock(t: number): string {
  return Number.isInteger(t) ? `${t}s` : `${t.toFixed(2)}s`;
}

function rows(timeline: readonly TimelineEntry[], p: Palette): string[][] {
  const out: string[][] = [];
  for (const e of timeline) {
    const state = e.from === e.to ? p.dim(e.to) : `${e.from} → ${p.bold(e.to)}`;
    const move = e.release === undefined ? state : `${e.release} ${state}`;
    out.push([clock(e.t), move, `${e.weight} %`, `${e.event}${e.actor === undefined ? "" : ` (${e.actor})`}`, e.reason]);
    for (const v of e.verdicts ?? []) {
      const mark = v.verdict === "pass" ? p.green(v.verdict) : v.verdict === "fail" ? p.red(v.verdict) : p.yellow(v.verdict);
      out.push(["", "", "", `  ${mark}`, v.reason]);
    }
  }
  return out;
}

/** The human-readable report of a replay. */
export function renderReplay(result: ReplayResult, header: string, p: Palette): string {
  const table = renderTable(["T", "STATE", "WEIGHT", "EVENT", "REASON"], rows(result.timeline, p));
  const each = result.releases.length > 1 ? result.releases.map((r) => `release ${r.version}: ${outcomeColor(p, r.outcome)} (state ${r.state}): ${r.reason}\n`).join("") : "";
  const end = `${each}outcome: ${outcomeColor(p, result.outcome)} (state ${result.state}, ${clock(result.seconds)} of trace time)\nreason: ${result.reason}\n`;
  return `${header}\n\n${table}\n${end}`;
}

/** `siskin replay` without process access: `read` returns the trace file's text. */
export function runReplay(o: ReplayOptions, read: (path: string) => string): CliOutcome {
  if (o.expect !== undefined && !(EXPECTABLE as readonly string[]).includes(o.expect)) {
    return { stdout: "", stderr: `replay: --expect must be one of ${EXPECTABLE.join(", ")}, got "${o.expect}"\n`, code: Exit.usage };
  }
  let text: string;
  try {
    text = read(o.file);
  } catch (err) {
    return { stdout: "", stderr: `replay: cannot read trace ${o.file}: ${(err as Error).message}\n`, code: Exit.failure };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { stdout: "", stderr: `replay: trace ${o.file} is not JSON: ${(err as Error).message}\n`, code: Exit.failure };
  }
  const trace = parseTrace(raw, `trace ${o.file}`);
  const result = replay(trace, { preflight: templatePreflight });
  let stdout: string;
  if (o.json) {
    stdout = `${JSON.stringify({ releaseId: result.releaseId, outcome: result.outcome, state: result.state, reason: result.reason, seconds: result.seconds, releases: result.releases, timeline: result.timeline, commands: result.commands }, null, 2)}\n`;
  } else {
    const r = resolveRollout(trace.rollout.spec);
    const steps = r.steps.map((s) => s.weight).join(" → ");
    const about = trace.description === undefined ? "" : `\n${trace.description}`;
    const header = `replay ${result.releaseId}: stable ${trace.rollout.spec.stableVersion}, steps ${steps} %, interval ${r.intervalMs / 1000} s${about}`;
    stdout = renderReplay(result, header, palette(o.color));
  }
  if (o.expect !== undefined && o.expect !== result.outcome) {
    return { stdout, stderr: `replay: outcome ${result.outcome}, expected ${o.expect}\n`, code: Exit.failure };
  }
  return { stdout, stderr: "", code: Exit.ok };
}

/** Adds `siskin replay` to the program. */
export function register(program: Command): void {
  program
    .command("replay")
    .argument("<trace>", "a replay trace (JSON, see docs/replay.md)")
    .description("run a trace through the canary workflow offline and print the decision timeline")
    .option("--json", "print {outcome, timeline, commands} as JSON")
    .option("--expect <outcome>", `exit 1 unless the outcome is this (${EXPECTABLE.join(", ")})`)
    .action(async (file: string, flags: { json?: boolean; expect?: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ json?: boolean; color?: boolean }>();
      const json = flags.json === true || globals.json === true;
      const color = globals.color !== false && !json && process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === "";
      await runOutcome("replay", async () => runReplay({ file, json, expect: flags.expect, color }, (p) => readFileSync(p, "utf8")));
    });
}
