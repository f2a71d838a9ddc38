/** Reading a service's `/metrics` (Prometheus text format): totals of a counter by one label. */

/** The sum of `metric`'s samples in `text`, grouped by the value of `label` (all samples under "" when absent). */
export function counterBy(text: string, metric: string, label?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith(metric)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+([^\s]+)/.exec(line);
    if (m === null || m[1] !== metric) continue;
    const labels = Object.fromEntries([...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const key = label === undefined ? "" : (labels[label] ?? "");
    out[key] = (out[key] ?? 0) + Number(m[4]);
  }
  return out;
}

/** `after - before` per key (keys with no change left out). */
export function diffCounts(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** GET `<healthUrl>/metrics`. */
export async function scrape(healthUrl: string): Promise<string> {
  const res = await fetch(`${healthUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${healthUrl}/metrics answered HTTP ${res.status}`);
  return res.text();
}
