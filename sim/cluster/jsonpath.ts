// The JSONPath subset CRD printer columns use: `.a.b`, `[0]`, `['key']`, `[*]`, `[?(@.f=='v')]`. Pure.
import { isObject } from "./types.js";

type Step = { kind: "field"; name: string } | { kind: "index"; index: number } | { kind: "all" } | { kind: "filter"; path: string[]; op: "==" | "!="; value: string };

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let s = path.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
  if (s.startsWith("$")) s = s.slice(1);
  let i = 0;
  while (i < s.length) {
    if (s[i] === ".") {
      const m = /^\.([A-Za-z0-9_\-$]+)/.exec(s.slice(i));
      if (!m) break;
      steps.push({ kind: "field", name: m[1] ?? "" });
      i += m[0].length;
    } else if (s[i] === "[") {
      const end = s.indexOf("]", i);
      if (end < 0) break;
      const inner = s.slice(i + 1, end).trim();
      const filter = /^\?\(@((?:\.[A-Za-z0-9_\-]+)+)\s*(==|!=)\s*['"]?([^'"]*)['"]?\)$/.exec(inner);
      if (filter) steps.push({ kind: "filter", path: (filter[1] ?? "").slice(1).split("."), op: filter[2] === "!=" ? "!=" : "==", value: filter[3] ?? "" });
      else if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else steps.push({ kind: "field", name: inner.replace(/^['"]|['"]$/g, "") });
      i = end + 1;
    } else break;
  }
  return steps;
}

/** Every value the path selects (empty when nothing matches). */
export function findJsonPath(obj: unknown, path: string): unknown[] {
  let nodes: unknown[] = [obj];
  for (const step of parse(path)) {
    const next: unknown[] = [];
    for (const n of nodes) {
      if (step.kind === "field" && isObject(n) && n[step.name] !== undefined) next.push(n[step.name]);
      else if (step.kind === "index" && Array.isArray(n)) {
        const v = n[step.index < 0 ? n.length + step.index : step.index];
        if (v !== undefined) next.push(v);
      } else if (step.kind === "all" && Array.isArray(n)) next.push(...n);
      else if (step.kind === "all" && isObject(n)) next.push(...Object.values(n));
      else if (step.kind === "filter" && Array.isArray(n)) {
        for (const el of n) {
          let v: unknown = el;
          for (const p of step.path) v = isObject(v) ? v[p] : undefined;
          const str = v === undefined || v === null ? undefined : String(v);
          if (step.op === "==" ? str === step.value : str !== step.value) next.push(el);
        }
      }
    }
    nodes = next;
  }
  return nodes;
}
