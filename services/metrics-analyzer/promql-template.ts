/**
 * Rendering of a rollout's custom PromQL template. Pure. Placeholders `{{namespace}}`, `{{service}}`
 * and `{{interval}}` (spaces inside the braces allowed, as in Flagger's `{{ namespace }}`).
 *
 * Values are escaped for the context they land in: inside `"..."` or `'...'` string literals as
 * string data, and additionally as regex text when the literal follows `=~` or `!~`. `{{namespace}}`
 * and `{{service}}` outside a string literal are refused: there is no way to make a bare value safe.
 * `{{interval}}` renders as `<seconds>s` and may appear anywhere (it is digits and `s`).
 *
 * Cost: a template that uses `{{namespace}}` or `{{service}}` renders a different text per service,
 * so it costs one query per service per interval. Prefer a template that groups
 * `by (destination_workload_namespace, destination_canonical_service, destination_version)` and
 * names only `{{interval}}`: it is run once for every release.
 */
import { escapeLabelValue, escapeRegex, escapeSingleQuoted } from "./promql-escape.js";

/** The values a template is rendered with. */
export interface TemplateValues {
  namespace: string;
  service: string;
  intervalSeconds: number;
}

/** Which placeholders a template uses. */
export interface TemplateScope {
  namespace: boolean;
  service: boolean;
  interval: boolean;
}

/** The outcome of rendering: the PromQL text, or why the template cannot be rendered safely. */
export type RenderResult = { ok: true; text: string; scope: TemplateScope } | { ok: false; reason: string };

const PLACEHOLDER = /^\{\{\s*([A-Za-z_]+)\s*\}\}/;
const KNOWN = ["namespace", "service", "interval"] as const;
type Known = (typeof KNOWN)[number];

type Context = { kind: "code" } | { kind: "comment" } | { kind: "string"; quote: '"' | "'" | "`"; regex: boolean };

function isKnown(name: string): name is Known {
  return (KNOWN as readonly string[]).includes(name);
}

function valueOf(name: Known, v: TemplateValues): string {
  if (name === "interval") return `${Math.max(1, Math.floor(v.intervalSeconds))}s`;
  return name === "namespace" ? v.namespace : v.service;
}

function placeIn(ctx: Context, raw: string): string | undefined {
  switch (ctx.kind) {
    case "comment":
      // A newline would end the comment and start code: escaped, it stays in the comment.
      return escapeLabelValue(raw);
    case "code":
      return undefined;
    case "string": {
      const text = ctx.regex ? escapeRegex(raw) : raw;
      if (ctx.quote === '"') return escapeLabelValue(text);
      if (ctx.quote === "'") return escapeSingleQuoted(text);
      // A raw string has no escapes: a backtick or newline would end it or break the query.
      return /[`\n\r]/.test(text) ? undefined : text;
    }
  }
}

/** Render `template` with `values`; never throws. */
export function renderTemplate(template: string, values: TemplateValues): RenderResult {
  const scope: TemplateScope = { namespace: false, service: false, interval: false };
  let out = "";
  let ctx: Context = { kind: "code" };
  let i = 0;
  while (i < template.length) {
    const rest = template.slice(i);
    const ph = PLACEHOLDER.exec(rest);
    if (ph !== null) {
      const name = ph[1] ?? "";
      if (!isKnown(name)) {
        return { ok: false, reason: `unknown placeholder {{${name}}}; use {{namespace}}, {{service}} or {{interval}}` };
      }
      scope[name] = true;
      const raw = valueOf(name, values);
      const placed = name === "interval" ? raw : placeIn(ctx, raw);
      if (placed === undefined) {
        return {
          ok: false,
          reason: `{{${name}}} must be inside a quoted label value, e.g. destination_workload_namespace="{{${name}}}"`,
        };
      }
      out += placed;
      i += ph[0].length;
      continue;
    }
    const ch = template[i] ?? "";
    out += ch;
    i += 1;
    if (ctx.kind === "code") {
      if (ch === "#") ctx = { kind: "comment" };
      else if (ch === '"' || ch === "'" || ch === "`") {
        const before = out.slice(0, -1).trimEnd();
        ctx = { kind: "string", quote: ch, regex: before.endsWith("=~") || before.endsWith("!~") };
      }
    } else if (ctx.kind === "comment") {
      if (ch === "\n") ctx = { kind: "code" };
    } else if (ctx.quote !== "`" && ch === "\\") {
      // An escape in the template's own text: copy the escaped character as is.
      out += template[i] ?? "";
      i += 1;
    } else if (ch === ctx.quote) {
      ctx = { kind: "code" };
    }
  }
  if (ctx.kind === "string") return { ok: false, reason: `unterminated ${ctx.quote} string literal in the query template` };
  return { ok: true, text: out, scope };
}
