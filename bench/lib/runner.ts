/** Runs benchmarks by name: each result printed as tables and written to `<out>/<name>.json`. */
import { machine, renderResult, writeResult } from "./report.js";
import type { BenchResult, Benchmark } from "./types.js";

/** Options of {@link runBenchmarks}. */
export interface RunOptions {
  quick: boolean;
  /** Directory of the JSON results. */
  outDir: string;
  /** Per-benchmark overrides (see each benchmark). */
  params?: Record<string, unknown>;
  /** Progress and tables (default: stderr for progress, stdout for tables). */
  print?: (text: string) => void;
  log?: (line: string) => void;
}

/** What a run produced. */
export interface RunSummary {
  results: BenchResult[];
  failed: Array<{ name: string; error: string }>;
}

/** Run `selected` in order; a failing benchmark is reported and the others still run. */
export async function runBenchmarks(selected: readonly Benchmark[], opts: RunOptions): Promise<RunSummary> {
  const print = opts.print ?? ((t: string) => process.stdout.write(`${t}\n`));
  const log = opts.log ?? ((l: string) => process.stderr.write(`[bench] ${l}\n`));
  const results: BenchResult[] = [];
  const failed: RunSummary["failed"] = [];
  for (const b of selected) {
    const m = machine();
    const date = new Date().toISOString();
    const t0 = performance.now();
    log(`${b.name}: ${b.title}${opts.quick ? " (quick)" : ""}`);
    try {
      const out = await b.run({ quick: opts.quick, log: (l) => log(`  ${l}`), params: opts.params ?? {} });
      const r: BenchResult = { name: b.name, title: b.title, quick: opts.quick, machine: m, date, durationMs: performance.now() - t0, ...out };
      results.push(r);
      print(renderResult(r));
      const path = await writeResult(opts.outDir, r);
      log(`${b.name}: wrote ${path}`);
    } catch (err) {
      const e = err as Error;
      failed.push({ name: b.name, error: e.stack ?? e.message });
      log(`${b.name}: FAILED after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${e.stack ?? e.message}`);
    }
  }
  return { results, failed };
}
