/** What a benchmark is, what it gets and what it returns. */
import type { Summary } from "./stats.js";

/** A printed table: a title, column headers and rows of cells. */
export interface Table {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** One measured figure: a summary over repeated runs, in `unit`. */
export interface Figure {
  name: string;
  unit: string;
  summary: Summary;
}

/** What a benchmark returns (the runner adds the machine, the date and the duration). */
export interface BenchOutput {
  /** Tables to print, in order. */
  tables: Table[];
  /** The figures behind the tables (written to the JSON result). */
  figures: Figure[];
  /** What the benchmark set up: sizes, repetitions, intervals, which path (direct events or real workers). */
  setup: Record<string, unknown>;
  /** What could not be measured cleanly, in sentences. */
  caveats: string[];
  /** Extra raw data for the JSON result. */
  data?: Record<string, unknown>;
  /** Rows of a grid, written at the top level of the JSON result (the decisions benchmark). */
  cells?: readonly object[];
}

/** What the runner hands a benchmark. */
export interface BenchContext {
  /** A short smoke run: fewer repetitions, smaller sizes. */
  quick: boolean;
  /** Progress lines (stderr). */
  log(line: string): void;
  /** Overrides for tests (e.g. `{sizes: [1, 10]}`); each benchmark documents what it reads. */
  params: Record<string, unknown>;
}

/** A benchmark of the suite. */
export interface Benchmark {
  /** The name on the command line and of `bench/results/<name>.json`. */
  name: string;
  /** One line: what it measures. */
  title: string;
  run(ctx: BenchContext): Promise<BenchOutput>;
}

/** The result file of one benchmark. */
export interface BenchResult extends BenchOutput {
  name: string;
  title: string;
  quick: boolean;
  machine: Machine;
  /** ISO date of the run. */
  date: string;
  /** Wall time of the benchmark, ms. */
  durationMs: number;
}

/** The machine a result was measured on. */
export interface Machine {
  os: string;
  cpuModel: string;
  cpuCount: number;
  totalMemBytes: number;
  node: string;
  /** 1-minute load average when the benchmark started (other processes share the cores). */
  loadAvg1: number;
}
