/** What the demo prints: progress lines, the summary table, the exploration hints. Pure. */
import type { ProgressRecord, StoryResult, StoryScript } from "./types.js";

/** `+12.3s`, padded to line up. */
export function elapsed(ms: number): string {
  return `+${(ms / 1000).toFixed(1)}s`.padStart(7);
}

/** Seconds with one decimal, or "-". */
export function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}

/** The last segment of a dotted state path (`step.analyzing` → `analyzing`). */
export function stateName(path: string): string {
  return path.split(".").pop() ?? path;
}

/** The header of one story. */
export function storyHeader(index: number, total: number, script: StoryScript): string {
  return `\n== ${index + 1}/${total}  ${script.tag}: ${script.title}`;
}

const KIND_LABEL: Record<ProgressRecord["kind"], string> = {
  progress: "release",
  slack: "slack",
  approval: "approval",
  alert: "alert",
  vm: "vm",
  traffic: "traffic",
  fault: "fault",
  note: "note",
};

/** One progress line, plus its verdicts (with their numbers) on the next line. */
export function progressLines(tag: string, r: ProgressRecord): string[] {
  if (r.quiet === true) return [];
  const head = `  ${tag.padEnd(7)} ${elapsed(r.atMs)}  ${KIND_LABEL[r.kind].padEnd(8)} ${r.text}`;
  const verdicts = r.verdicts ?? [];
  if (verdicts.length === 0) return [head];
  return [head, `  ${" ".repeat(7)} ${" ".repeat(7)}  ${"".padEnd(8)} verdicts: ${verdicts.map((v) => `${v.metric} ${v.verdict} (${v.reason})`).join(" · ")}`];
}

/** The text of a progressed event: step, weight, state and why. */
export function progressText(p: { to: string; step?: number; weight: number; reason: string }, steps: number): string {
  const where = p.step === undefined ? "" : `step ${p.step + 1}/${steps} · `;
  return `${where}${p.weight} % · ${stateName(p.to)} — ${p.reason}`;
}

/** A Slack message's first line, shortened. */
export function slackText(text: string, edited: boolean): string {
  const first = (text.split("\n").find((l) => l.trim() !== "") ?? "").trim();
  const short = first.length > 110 ? `${first.slice(0, 107)}...` : first;
  return `${edited ? "(edited) " : ""}${short}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd());
}

/** The summary table: one row per release. */
export function summaryTable(results: readonly StoryResult[]): string[] {
  const rows = [["release", "expected", "outcome", "decided after", "after fault", "approved by", "result"]];
  for (const r of results) {
    rows.push([
      r.tag,
      r.expected,
      r.outcome ?? "(none)",
      seconds(r.decidedAfterMs),
      seconds(r.reactionMs),
      r.approvedBy.length === 0 ? "-" : r.approvedBy.join(", "),
      r.ok ? "ok" : "UNEXPECTED",
    ]);
  }
  const lines = table(rows);
  return [lines[0] ?? "", "-".repeat(Math.max(...lines.map((l) => l.length))), ...lines.slice(1)];
}

/** The last line(s): every outcome as expected, or which were not. */
export function verdictLines(results: readonly StoryResult[]): string[] {
  const bad = results.filter((r) => !r.ok);
  if (bad.length === 0) return [`all ${results.length} releases ended as expected`];
  return [`${bad.length} of ${results.length} releases did not end as expected:`, ...bad.map((r) => `  ${r.tag}: ${r.problems.join("; ")}`)];
}

/** The intervals the demo runs with, said once at the start and in the README. */
export function intervalsLine(i: { analysisSeconds: number; rollbackWindowSeconds: number; prometheusSeconds: number }): string {
  return (
    `short intervals so the story plays in minutes: analysis ${i.analysisSeconds} s, rollback window ${i.rollbackWindowSeconds} s, ` +
    `Prometheus scrape/evaluation ${i.prometheusSeconds} s (production defaults: 60 s, 600 s, 15 s+)`
  );
}

/** Where to look when the world is kept running (`--keep`). */
export interface ExploreInfo {
  prometheusUrl: string;
  alertmanagerUrl?: string;
  kubeconfigPath: string;
  slackUrl: string;
  natsUrl: string;
  releaseTriggerUrl?: string;
  clusterUrl?: string;
  meshUrl?: string;
  /** The web dashboard's pages. */
  dashboardUrl?: string;
}

/** How to explore the world left running. */
export function exploreLines(x: ExploreInfo): string[] {
  return [
    "",
    "The world keeps running (--keep); Ctrl-C stops it. Explore:",
    ...(x.dashboardUrl === undefined ? [] : [`  Dashboard       ${x.dashboardUrl}/  (read-only; act as the on-call with: Authorization: Bearer sim-dashboard-oncall-token-0123456789)`]),
    `  Prometheus      ${x.prometheusUrl}/graph?g0.expr=${encodeURIComponent("siskin:istio_request_error_ratio:rate10s")}`,
    ...(x.alertmanagerUrl === undefined ? [] : [`  Alertmanager    ${x.alertmanagerUrl}`]),
    `  kubectl         kubectl --kubeconfig ${x.kubeconfigPath} get vmro,vmi,vs -A`,
    `  Slack messages  curl -s ${x.slackUrl}/_sim/messages`,
    `  NATS            ${x.natsUrl}  (e.g. SISKIN_NATS_SERVERS=${x.natsUrl} siskin status bookinfo/ratings)`,
    ...(x.releaseTriggerUrl === undefined ? [] : [`  release-trigger ${x.releaseTriggerUrl}/webhooks/github  (siskin sim git push-tag --url ... --secret sim-github-webhook-secret)`]),
    ...(x.meshUrl === undefined ? [] : [`  sim-mesh        ${x.meshUrl}/snapshot`]),
  ];
}
