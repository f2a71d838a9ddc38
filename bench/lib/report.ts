/** Tables on the terminal and `bench/results/<name>.json` with the machine, Node version and date. */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fmtNum, type Summary } from "./stats.js";
import type { BenchResult, Figure, Machine, Table } from "./types.js";

/** The machine this process runs on. */
export function machine(): Machine {
  const c = cpus();
  return {
    os: `${platform()} ${release()}`,
    cpuModel: c[0]?.model.trim() ?? "unknown",
    cpuCount: c.length,
    totalMemBytes: totalmem(),
    node: process.version,
    loadAvg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Render a table as aligned text (Markdown pipe syntax, so it pastes into docs). */
export function renderTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map((c) => (typeof c === "number" ? fmtNum(c) : c)))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? "").length)));
  const line = (r: Array<string | number>) => `| ${r.map((c, i) => String(c ?? "").padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const sep = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [`### ${t.title}`, "", line(cells[0] ?? []), sep, ...cells.slice(1).map(line)].join("\n");
}

/** A row `name, n, min, median, p99, max` of a summary. */
export function summaryRow(name: string, s: Summary, unit = "ms"): Array<string | number> {
  return [name, unit, s.n, s.min, s.median, s.p99, s.max];
}

/** Column headers matching {@link summaryRow}. */
export const summaryColumns = ["what", "unit", "n", "min", "median", "p99", "max"];

/** A table of figures. */
export function figuresTable(title: string, figures: readonly Figure[]): Table {
  return { title, columns: summaryColumns, rows: figures.map((f) => summaryRow(f.name, f.summary, f.unit)) };
}

/** Everything a result says, as text for the terminal. */
export function renderResult(r: BenchResult): string {
  const head = `== ${r.name}: ${r.title}${r.quick ? " (quick)" : ""} — ${(r.durationMs / 1000).toFixed(1)} s`;
  const setup = `setup: ${JSON.stringify(r.setup)}`;
  const caveats = r.caveats.length === 0 ? [] : ["could not measure cleanly:", ...r.caveats.map((c) => `  - ${c}`)];
  return [head, setup, "", ...r.tables.flatMap((t) => [renderTable(t), ""]), ...caveats, ""].join("\n");
}

/** Write `<dir>/<name>.json` (NaN and Infinity become null). Returns the path. */
export async function writeResult(dir: string, r: BenchResult): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${r.name}.json`);
  const text = JSON.stringify(r, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2);
  await writeFile(path, `${text}\n`);
  return path;
}
