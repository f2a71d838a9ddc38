/** `siskin watch` output: a block per release for the redrawn screen, and one line per change otherwise. Pure. */
import { plain, truncate, type Palette } from "./color.js";
import { formatAge, formatClock, formatDuration, verdictMark, weightBar } from "./format.js";
import { renderVerdicts, stateLabel, stepLabel } from "./render-status.js";
import type { ReleaseView } from "../../runtime/release-view.js";

/** Width of the weight bar on screen (cells). */
export const SCREEN_BAR = 24;
/** Width of the weight bar in change lines. */
export const LINE_BAR = 10;

/** The lines of one release on the redrawn screen: title, bar, verdicts with numbers, last reason. */
export function renderReleaseBlock(v: ReleaseView, now: number, p: Palette = plain): string[] {
  const age = v.requestedAt === null ? "" : `  ${p.dim(`${formatAge(now - v.requestedAt)} ago`)}`;
  const step = v.step === null ? "" : `  step ${stepLabel(v)}`;
  const lines = [`${p.bold(v.releaseId)}  ${stateLabel(v, p)}${step}${age}`, `  ${weightBar(v.weight, SCREEN_BAR, p)}`];
  lines.push(...renderVerdicts(v.verdicts, "  ", p));
  if (v.reason !== "") lines.push(`  ${p.dim("last:")} ${v.reason}`);
  if (v.done && v.completedAt !== null && v.requestedAt !== null) lines.push(`  ${p.dim("took")} ${formatDuration(v.completedAt - v.requestedAt)}`);
  return lines;
}

/** The whole screen: a header line, then each release's block separated by a blank line; lines cut to `width`. */
export function renderWatchScreen(views: readonly ReleaseView[], opts: { now: number; width: number; header: string; p?: Palette }): string[] {
  const p = opts.p ?? plain;
  const lines = [p.dim(`${opts.header} · ${formatClock(opts.now)} · Ctrl-C to stop`)];
  if (views.length === 0) lines.push("", "no live releases yet; waiting for one to start");
  for (const v of views) lines.push("", ...renderReleaseBlock(v, opts.now, p));
  const width = Math.max(20, opts.width - 1);
  return lines.map((l) => truncate(l, width));
}

/** The verdict marks in short: `✓ error-rate ✗ latency-p99`. */
export function verdictMarks(v: ReleaseView, p: Palette = plain): string {
  return v.verdicts.map((x) => `${verdictMark(x.verdict, p)} ${x.metric}`).join(" ");
}

/**
 * One line for a change (or the initial state), as a non-terminal shows it:
 * `12:00:05Z shop/ratings/v1.1.0  step.shifting → step.analyzing  step 2/3  [█████░░░░░]  50%  ✓ error-rate  — reason`.
 */
export function renderChangeLine(v: ReleaseView, opts: { at: number; from?: string; p?: Palette }): string {
  const p = opts.p ?? plain;
  const head = `${formatClock(opts.at)} ${v.releaseId}`;
  if (v.done) {
    const took = v.completedAt !== null && v.requestedAt !== null ? ` after ${formatDuration(v.completedAt - v.requestedAt)}` : "";
    return `${head}  completed: ${stateLabel(v, p)}${took}  — ${v.reason}`;
  }
  const state = opts.from !== undefined && opts.from !== v.state ? `${opts.from} → ${stateLabel(v, p)}` : stateLabel(v, p);
  const parts = [head, state];
  if (v.step !== null) parts.push(`step ${stepLabel(v)}`);
  parts.push(weightBar(v.weight, LINE_BAR, p));
  const marks = verdictMarks(v, p);
  if (marks !== "") parts.push(marks);
  return `${parts.join("  ")}${v.reason === "" ? "" : `  — ${v.reason}`}`;
}
