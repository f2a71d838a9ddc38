/** The demo's machine-readable report (default out/demo-report.json). Pure. */
import type { StoryResult } from "./types.js";

/** Bump when a field changes meaning. */
export const REPORT_VERSION = 1;

/** The whole report. */
export interface DemoReport {
  reportVersion: number;
  /** `local` (the demo started the world) or `external` (it drove a running one). */
  mode: "local" | "external";
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  intervals: { analysisSeconds: number; rollbackWindowSeconds: number; prometheusSeconds: number };
  /** True when every release ended as expected. */
  ok: boolean;
  /** The releases that did not, with why. */
  failures: Array<{ tag: string; problems: string[] }>;
  releases: Array<Omit<StoryResult, "startedAt"> & { startedAt: string }>;
}

/** Inputs of {@link buildReport}. */
export interface ReportInput {
  mode: DemoReport["mode"];
  startedAt: number;
  finishedAt: number;
  intervals: DemoReport["intervals"];
  results: readonly StoryResult[];
}

/** Assemble the report. */
export function buildReport(i: ReportInput): DemoReport {
  const failures = i.results.filter((r) => !r.ok).map((r) => ({ tag: r.tag, problems: [...r.problems] }));
  return {
    reportVersion: REPORT_VERSION,
    mode: i.mode,
    startedAt: new Date(i.startedAt).toISOString(),
    finishedAt: new Date(i.finishedAt).toISOString(),
    durationMs: i.finishedAt - i.startedAt,
    intervals: { ...i.intervals },
    ok: failures.length === 0 && i.results.length > 0,
    failures,
    releases: i.results.map((r) => ({ ...r, startedAt: new Date(r.startedAt).toISOString() })),
  };
}

/** 0 when every release ended as expected, else 1. */
export function exitCodeOf(report: DemoReport): 0 | 1 {
  return report.ok ? 0 : 1;
}
