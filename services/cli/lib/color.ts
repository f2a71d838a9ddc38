/** ANSI colors that turn into no-ops when color is off (`--no-color`, NO_COLOR, not a terminal). */

/** Text styles used by the renderers. */
export interface Palette {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

/** A palette; `enabled: false` returns text unchanged. */
export function palette(enabled: boolean): Palette {
  if (!enabled) {
    const id = (s: string) => s;
    return { enabled, bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };
  }
  return { enabled, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

/** A palette without colors, for JSON and tests. */
export const plain: Palette = palette(false);

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** `s` without ANSI escape sequences. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

/** The width `s` takes on a terminal (escape sequences count zero; every code point one column). */
export function visibleWidth(s: string): number {
  return [...stripAnsi(s)].length;
}

/** `s` cut to `width` visible columns (escape sequences kept, an ellipsis marks the cut). */
export function truncate(s: string, width: number): string {
  if (visibleWidth(s) <= width) return s;
  let out = "";
  let used = 0;
  const re = /(\x1b\[[0-9;?]*[A-Za-z])|([\s\S])/gu;
  for (const m of s.matchAll(re)) {
    if (m[1] !== undefined) {
      out += m[1];
      continue;
    }
    if (used >= width - 1) continue;
    out += m[2];
    used++;
  }
  return `${out}…${s.includes("\x1b[") ? "\x1b[0m" : ""}`;
}
