/** Small pure formatters shared by the status and watch renderers. */
import type { Palette } from "./color.js";

import type { ActorLike } from "../../runtime/release-view.js";

export type { ActorLike };

/** `kind:name` (the display name when known, else the id), e.g. `cli:alice`, `slack:ana`. */
export function actorLabel(a: ActorLike | null | undefined): string {
  if (a === null || a === undefined) return "-";
  return `${a.kind}:${a.name !== undefined && a.name !== "" ? a.name : a.id}`;
}

/** A duration as people read it in a column: `42s`, `5m`, `3h12m`, `2d4h`. Negative counts as 0. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

/** A duration in a sentence: `4m 10s`, `12s`, `1h 2m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
}

/** An instant in UTC, to the second: `2026-03-01 12:00:05Z`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** Time of day in UTC: `12:00:05Z`. */
export function formatClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

/** A canary weight bar: `[████░░░░] 50%` with `width` cells. */
export function weightBar(weight: number, width = 20, p?: Palette): string {
  const w = Math.min(100, Math.max(0, Math.round(weight)));
  const filled = Math.round((w / 100) * width);
  const full = "█".repeat(filled);
  const empty = "░".repeat(width - filled);
  const pct = `${w}%`.padStart(4);
  return `[${p === undefined ? full : p.cyan(full)}${p === undefined ? empty : p.dim(empty)}] ${pct}`;
}

/** The four verdicts of a metric. */
export type VerdictKind = "pass" | "fail" | "inconclusive" | "error";

/** A one-character mark per verdict: ✓ pass, ✗ fail, ? inconclusive, ! error. */
export function verdictMark(v: string, p?: Palette): string {
  const mark = v === "pass" ? "✓" : v === "fail" ? "✗" : v === "inconclusive" ? "?" : "!";
  if (p === undefined) return mark;
  return v === "pass" ? p.green(mark) : v === "fail" ? p.red(mark) : p.yellow(mark);
}

/** A number without float noise: integers as is, else 4 significant digits. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 1000) return String(Math.round(n));
  return String(Number(n.toPrecision(4)));
}
