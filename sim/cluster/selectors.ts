// Label and field selectors with the grammar of k8s.io/apimachinery/pkg/labels and pkg/fields. Pure.

/** Operators of a label requirement. */
export const LabelOp = {
  equals: "=",
  notEquals: "!=",
  in: "in",
  notIn: "notin",
  exists: "exists",
  doesNotExist: "!",
  gt: "gt",
  lt: "lt",
} as const;
export type LabelOp = (typeof LabelOp)[keyof typeof LabelOp];

/** One parsed label requirement, e.g. `{key:"app", op:"in", values:["a","b"]}`. */
export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

/** A malformed selector; the HTTP layer answers 400 BadRequest with this message. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorError";
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of input) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

const keyRe = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, raw: string): string {
  if (!keyRe.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (!valueRe.test(value) || value.length > 63) {
    throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${raw}"`);
  }
  return value;
}

/** Parses a label selector string (`a=b,c!=d,e in (f,g),!h,i`); an empty string selects everything. */
export function parseLabelSelector(input: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  if (input.trim() === "") return reqs;
  for (const part of splitTopLevel(input)) {
    const raw = part.trim();
    if (raw === "") throw new SelectorError(`found '', expected: identifier in label selector "${input}"`);
    const setMatch = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
    if (setMatch) {
      const inner = (setMatch[3] ?? "").trim();
      if (inner === "") throw new SelectorError(`unable to parse requirement: for 'in', 'notin' operators, values set can't be empty in "${raw}"`);
      const values = inner.split(",").map((v) => v.trim());
      reqs.push({
        key: checkKey(setMatch[1] ?? "", raw),
        op: setMatch[2] === "in" ? LabelOp.in : LabelOp.notIn,
        values: values.map((v) => checkValue(v, raw)),
      });
      continue;
    }
    const opMatch = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(.*)$/.exec(raw);
    if (opMatch) {
      const op = opMatch[2];
      const value = (opMatch[3] ?? "").trim();
      const key = checkKey(opMatch[1] ?? "", raw);
      if (op === "<" || op === ">") {
        if (!/^-?\d+$/.test(value)) throw new SelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in "${raw}"`);
        reqs.push({ key, op: op === ">" ? LabelOp.gt : LabelOp.lt, values: [value] });
      } else {
        reqs.push({ key, op: op === "!=" ? LabelOp.notEquals : LabelOp.equals, values: [checkValue(value, raw)] });
      }
      continue;
    }
    if (raw.startsWith("!")) {
      reqs.push({ key: checkKey(raw.slice(1).trim(), raw), op: LabelOp.doesNotExist, values: [] });
      continue;
    }
    reqs.push({ key: checkKey(raw, raw), op: LabelOp.exists, values: [] });
  }
  return reqs;
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(labels: Record<string, string> | undefined, reqs: readonly LabelRequirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case LabelOp.equals:
        return has && v === r.values[0];
      case LabelOp.notEquals:
        return !has || v !== r.values[0];
      case LabelOp.in:
        return has && r.values.includes(v ?? "");
      case LabelOp.notIn:
        return !has || !r.values.includes(v ?? "");
      case LabelOp.exists:
        return has;
      case LabelOp.doesNotExist:
        return !has;
      case LabelOp.gt:
      case LabelOp.lt: {
        if (!has || !/^-?\d+$/.test(v ?? "")) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        return r.op === LabelOp.gt ? n > bound : n < bound;
      }
      default: {
        const never: never = r.op;
        return never;
      }
    }
  });
}

/** One parsed field requirement, e.g. `{field:"involvedObject.name", op:"=", value:"x"}`. */
export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Splits on a separator that is not escaped with a backslash. */
function splitUnescaped(input: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? "";
    if (ch === "\\" && i + 1 < input.length) {
      cur += ch + (input[i + 1] ?? "");
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, "$1");

/** Parses a field selector string (`a=b,c!=d`, `==` allowed, `\,` `\=` `\\` escapes). */
export function parseFieldSelector(input: string): FieldRequirement[] {
  if (input.trim() === "") return [];
  return splitUnescaped(input, ",").map((part) => {
    const m = /^((?:[^=!\\]|\\.)+?)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
    if (!m) throw new SelectorError(`invalid selector: '${input}'; can't understand '${part}'`);
    return { field: unescape((m[1] ?? "").trim()), op: m[2] === "!=" ? "!=" : "=", value: unescape(m[3] ?? "") };
  });
}

/** True when the object's field values satisfy every requirement. */
export function matchesFields(fields: Record<string, string>, reqs: readonly FieldRequirement[]): boolean {
  return reqs.every((r) => {
    const v = fields[r.field] ?? "";
    return r.op === "=" ? v === r.value : v !== r.value;
  });
}
