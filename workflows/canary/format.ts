/** Number and duration formatting for verdict and decision sentences. Pure. */

/** A number as people read it: integers as is, others with 4 significant digits, no float noise. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 1000) return String(Math.round(n));
  return String(Number(n.toPrecision(4)));
}

/** A value with its unit: `412 ms`, `2.5 %`, `30 rps`. */
export function withUnit(n: number, unit: string | undefined): string {
  if (unit === undefined || unit === "") return fmt(n);
  if (unit === "percent" || unit === "%") return `${fmt(n)} %`;
  return `${fmt(n)} ${unit}`;
}

/** A duration in ms as seconds (`90 s`) or minutes (`10 min`) when whole. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  if (s >= 120 && Number.isInteger(s / 60)) return `${s / 60} min`;
  return `${fmt(s)} s`;
}

/** A p-value: `p=0.0123`, or `p<0.0001`. */
export function pval(p: number): string {
  return p < 0.0001 ? "p<0.0001" : `p=${fmt(p)}`;
}
