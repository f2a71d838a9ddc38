// `siskin watch [releaseId]`: live progress of releases from evt.release.* (an ordered consumer on
// EVENTS from now on) over their KV state. On a terminal the blocks are redrawn in place; otherwise
// one line per change; `--json` prints the events as JSON lines. Logic in `runWatch` (ports in).
import type { Command } from "commander";
import { palette } from "../lib/color.js";
import { ensureGlobalOptions, globalsOf, runOutcome } from "../lib/context.js";
import { Exit, usageError, type CliOutcome } from "../lib/errors.js";
import { connectCli, kvReleaseStore, releaseEventFeed } from "../lib/nats.js";
import type { ReleaseEventFeed, ReleaseStore } from "../lib/ports.js";
import { applyReleaseEvent, enrichFromKv } from "../lib/release-events.js";
import { loadViews, parseReleaseRef, unknownRelease } from "../lib/releases.js";
import { releaseViewOf, timeOf, type ReleaseView } from "../../runtime/release-view.js";
import { renderChangeLine, renderWatchScreen } from "../lib/render-watch.js";
import { createScreen } from "../lib/screen.js";

/** Options of `siskin watch`. */
export interface WatchOptions {
  releaseId?: string;
  /** Without a release id: exit once every release being watched has finished. */
  untilDone: boolean;
  json: boolean;
  color: boolean;
  /** How long to wait for a release id that is not stored yet (just requested). */
  waitStartMs: number;
}

/** The terminal, when stdout is one. */
export interface WatchTerminal {
  columns(): number;
  rows(): number | undefined;
}

/** Ports and process facts of `runWatch`. */
export interface WatchDeps {
  store: ReleaseStore;
  /** Opens the event feed; called before the KV is read so nothing in between is lost. */
  openFeed(): Promise<ReleaseEventFeed>;
  out(s: string): void;
  err(s: string): void;
  now(): number;
  /** Null when stdout is not a terminal (one line per change). */
  tty: WatchTerminal | null;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Redraw period of the terminal screen (ages, clock); 0 turns it off. */
  refreshMs?: number;
  /** Shown in the screen's header (e.g. the NATS URL). */
  header?: string;
}

/** Exit code of a watch ended by Ctrl-C (128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;

type StopReason = "done" | "interrupted" | "notFound" | "ended";

function outcomeOf(reason: StopReason, views: readonly ReleaseView[], watched: string | undefined): CliOutcome {
  if (reason === "interrupted") return { stdout: "", stderr: "watch interrupted\n", code: INTERRUPTED_EXIT };
  if (reason === "notFound" && watched !== undefined) return { stdout: "", stderr: `${unknownRelease(watched).message}\n`, code: Exit.failure };
  if (reason === "ended") return { stdout: "", stderr: "the event feed from NATS ended (connection closed?); run siskin watch again\n", code: Exit.failure };
  const failed = views.filter((v) => v.done && v.outcome !== "promoted");
  if (failed.length === 0) return { stdout: "", stderr: "", code: Exit.ok };
  const list = failed.map((v) => `release ${v.releaseId} ended ${v.outcome ?? v.state}: ${v.reason}`).join("\n");
  return { stdout: "", stderr: `${list}\n`, code: Exit.failure };
}

/** `siskin watch` without process access; resolves when the watch ends, with its exit code. */
export async function runWatch(o: WatchOptions, d: WatchDeps): Promise<CliOutcome> {
  const watched = o.releaseId === undefined ? undefined : (parseReleaseRef(o.releaseId, false) as { releaseId: string }).releaseId;
  const p = palette(o.color);
  const feed = await d.openFeed();
  const views = new Map<string, ReleaseView>();
  const lastKey = new Map<string, string>();
  const screen = d.tty !== null && !o.json ? createScreen(d.out, () => d.tty?.rows()) : null;
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  let notFoundTimer: ReturnType<typeof setTimeout> | undefined;
  let reason: StopReason | null = null;
  const stop = (r: StopReason) => {
    if (reason !== null) return;
    reason = r;
    void feed.stop();
  };
  const onAbort = () => stop("interrupted");
  // Read through a function: the narrowing of `reason` does not see the callbacks that set it.
  const stoppedBy = (): StopReason | null => reason;
  const shown = () => [...views.values()];
  const draw = () => screen?.draw(renderWatchScreen(shown(), { now: d.now(), width: d.tty?.columns() ?? 100, header: d.header ?? "siskin watch", p }));
  const line = (v: ReleaseView, at: number, from?: string) => {
    const key = renderChangeLine(v, { at: 0 });
    if (lastKey.get(v.releaseId) === key) return;
    lastKey.set(v.releaseId, key);
    d.out(`${renderChangeLine(v, { at, ...(from === undefined ? {} : { from }), p })}\n`);
  };
  const finished = () => (watched !== undefined ? views.get(watched)?.done === true : o.untilDone && views.size > 0 && shown().every((v) => v.done));
  const kvView = async (id: string) => {
    try {
      const raw = await d.store.get(id);
      return raw === null || raw === undefined ? null : releaseViewOf(id, raw);
    } catch {
      return null; // enrichment only: the event already says what changed
    }
  };
  try {
    if (watched !== undefined) {
      const v = await kvView(watched);
      if (v !== null) views.set(watched, v);
    } else {
      for (const v of await loadViews(d.store)) if (!v.done) views.set(v.releaseId, v);
      if (o.untilDone && views.size === 0) return { stdout: "no live releases; nothing to wait for\n", stderr: "", code: Exit.ok };
    }
    if (o.json) d.err(`following evt.release.* of ${watched ?? "every release"} from now on\n`);
    else {
      if (screen !== null) draw();
      else for (const v of views.values()) line(v, v.updatedAt ?? d.now());
    }
    if (finished()) {
      screen?.close();
      return outcomeOf("done", shown(), watched);
    }
    if (watched !== undefined && !views.has(watched)) {
      d.err(`release ${watched} is not stored yet; waiting up to ${Math.round(o.waitStartMs / 1000)}s for it to start\n`);
      notFoundTimer = setTimeout(() => stop("notFound"), o.waitStartMs);
    }
    if (screen !== null && (d.refreshMs ?? 1000) > 0) timers.push(setInterval(draw, d.refreshMs ?? 1000));
    if (d.signal?.aborted === true) stop("interrupted");
    d.signal?.addEventListener("abort", onAbort, { once: true });
    for await (const ev of feed) {
      const id = ev.releaseId;
      if (id === undefined || (watched !== undefined && id !== watched)) continue;
      const before = views.get(id);
      const { view, changed } = applyReleaseEvent(before, ev);
      if (!changed || view === undefined) continue;
      const next = o.json ? view : enrichFromKv(view, await kvView(id));
      views.set(id, next);
      if (id === watched) clearTimeout(notFoundTimer);
      if (o.json) d.out(`${JSON.stringify(ev)}\n`);
      else if (screen !== null) draw();
      else line(next, timeOf(ev.occurredAt) ?? d.now(), before?.state);
      if (finished()) {
        stop("done");
        break;
      }
    }
    const final = stoppedBy() ?? "ended";
    if (screen !== null && final === "done") {
      draw();
      screen.close();
      for (const v of shown()) if (v.done) d.out(`${renderChangeLine(v, { at: v.completedAt ?? d.now(), p })}\n`);
    }
    return outcomeOf(final, shown(), watched);
  } finally {
    for (const t of timers) clearInterval(t);
    clearTimeout(notFoundTimer);
    d.signal?.removeEventListener("abort", onAbort);
    screen?.close();
    await feed.stop();
  }
}

/** Adds `siskin watch` to the program. */
export function register(program: Command): void {
  ensureGlobalOptions(program);
  program
    .command("watch")
    .argument("[release]", "a release id (<ns>/<rollout>/<version>); without it, every live release")
    .description("follow releases live: step, weight bar, verdicts, last reason; exits when the release completes (0 promoted, 1 otherwise)")
    .option("--until-done", "without a release id: exit once every watched release has finished")
    .option("--wait <seconds>", "how long to wait for a release id that is not stored yet", "15")
    .action(async (ref: string | undefined, flags: { untilDone?: boolean; wait: string }, cmd: Command) => {
      const g = globalsOf(cmd, process.env, process.stdout.isTTY === true);
      await runOutcome("watch", async () => {
        if (ref !== undefined) parseReleaseRef(ref, false);
        const wait = Number(flags.wait);
        if (!Number.isFinite(wait) || wait < 0) throw usageError(`--wait must be a number of seconds ≥ 0, got "${flags.wait}"`);
        const nc = await connectCli(g.nats, process.env, { reconnectForever: true });
        const ac = new AbortController();
        const onSigint = () => ac.abort();
        process.once("SIGINT", onSigint);
        process.once("SIGTERM", onSigint);
        try {
          const store = await kvReleaseStore(nc);
          const out = process.stdout;
          const opts: WatchOptions = { untilDone: flags.untilDone === true, json: g.json, color: g.color, waitStartMs: wait * 1000, ...(ref === undefined ? {} : { releaseId: ref }) };
          return await runWatch(opts, {
            store,
            openFeed: () => releaseEventFeed(nc, (subject, err) => process.stderr.write(`skipping an undecodable ${subject}: ${err.message}\n`)),
            out: (s) => out.write(s),
            err: (s) => process.stderr.write(s),
            now: () => Date.now(),
            tty: out.isTTY === true ? { columns: () => out.columns || 100, rows: () => out.rows || undefined } : null,
            signal: ac.signal,
            header: `siskin watch ${ref ?? "(all live releases)"} · ${g.nats.join(",")}`,
          });
        } finally {
          process.off("SIGINT", onSigint);
          process.off("SIGTERM", onSigint);
          await nc.close();
        }
      });
    });
}
