// `siskin status [releaseId|ns/rollout]`: the live and recent releases as a table, or one release
// with its timeline, read from the orchestrator's KV entries. Logic in `runStatus` (ports in, text out).
import type { Command } from "commander";
import { palette } from "../lib/color.js";
import { ensureGlobalOptions, globalsOf, runOutcome } from "../lib/context.js";
import { Exit, type CliOutcome } from "../lib/errors.js";
import { connectCli, kvReleaseStore } from "../lib/nats.js";
import type { ReleaseStore } from "../lib/ports.js";
import { loadViews, parseReleaseRef, resolveRelease } from "../lib/releases.js";
import { renderReleaseDetail, renderReleaseTable, summaryJson } from "../lib/render-status.js";
import type { ReleaseView } from "../../runtime/release-view.js";

/** Finished releases older than this are hidden from the table unless `--all`. */
export const RECENT_MS = 24 * 3600_000;

/** Options of `siskin status`. */
export interface StatusOptions {
  /** A release id or `ns/rollout`; absent for the table. */
  ref?: string;
  json: boolean;
  color: boolean;
  /** Also show releases that finished more than a day ago. */
  all: boolean;
}

const isRecent = (v: ReleaseView, now: number) => !v.done || now - (v.completedAt ?? v.updatedAt ?? v.requestedAt ?? now) <= RECENT_MS;

/** `siskin status` without process access. */
export async function runStatus(o: StatusOptions, deps: { store: ReleaseStore; now: number }): Promise<CliOutcome> {
  const p = palette(o.color);
  if (o.ref !== undefined) {
    const { view, others } = await resolveRelease(deps.store, parseReleaseRef(o.ref, true));
    if (o.json) return { stdout: `${JSON.stringify({ ...summaryJson(view), timeline: view.audit }, null, 2)}\n`, stderr: "", code: Exit.ok };
    const more = others.length === 0 ? "" : `\n${p.dim(`other releases of ${view.rollout}: ${others.map((v) => `${v.releaseId} (${v.outcome ?? v.state})`).join(", ")}`)}\n`;
    return { stdout: renderReleaseDetail(view, deps.now, p) + more, stderr: "", code: Exit.ok };
  }
  const all = await loadViews(deps.store);
  const shown = o.all ? all : all.filter((v) => isRecent(v, deps.now));
  if (o.json) return { stdout: `${JSON.stringify(shown.map(summaryJson), null, 2)}\n`, stderr: "", code: Exit.ok };
  const hidden = all.length - shown.length;
  const note = hidden === 0 ? "" : p.dim(`${hidden} release${hidden === 1 ? "" : "s"} finished more than a day ago not shown; add --all\n`);
  if (shown.length === 0) return { stdout: `no live or recent releases${all.length === 0 ? " (none stored yet; start one with: siskin release <ns/rollout> <version>)" : ""}\n${note}`, stderr: "", code: Exit.ok };
  return { stdout: renderReleaseTable(shown, deps.now, p) + note, stderr: "", code: Exit.ok };
}

/** Adds `siskin status` to the program. */
export function register(program: Command): void {
  ensureGlobalOptions(program);
  program
    .command("status")
    .argument("[release]", "a release id (<ns>/<rollout>/<version>) or a rollout (<ns>/<rollout>)")
    .description("live and recent releases as a table, or one release with its timeline")
    .option("--all", "also list releases that finished more than a day ago")
    .action(async (ref: string | undefined, flags: { all?: boolean }, cmd: Command) => {
      const g = globalsOf(cmd, process.env, process.stdout.isTTY === true);
      await runOutcome("status", async () => {
        if (ref !== undefined) parseReleaseRef(ref, true);
        const nc = await connectCli(g.nats, process.env);
        try {
          const store = await kvReleaseStore(nc);
          return await runStatus({ ...(ref === undefined ? {} : { ref }), json: g.json, color: g.color, all: flags.all === true }, { store, now: Date.now() });
        } finally {
          await nc.close();
        }
      });
    });
}
