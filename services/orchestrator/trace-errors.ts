/**
 * What is wrong with a replay trace, one line per mistake: the JSON path, what was found, and what is
 * allowed. An event is checked against the schema of its own `kind` (not against every alternative of
 * the union, which would report each mistake once per event kind). Pure.
 */
import { Compile } from "typebox/compile";
import type { TSchema } from "typebox";
import {
  Trace,
  TraceAlertEvent,
  TraceApprovalEvent,
  TraceControlEvent,
  TraceMetricsEvent,
  TraceReleaseEvent,
  TraceTrafficEvent,
  TraceVmEvent,
} from "../../schemas/trace.js";

const byKind: Record<string, TSchema> = {
  vm: TraceVmEvent,
  metrics: TraceMetricsEvent,
  alert: TraceAlertEvent,
  approval: TraceApprovalEvent,
  control: TraceControlEvent,
  traffic: TraceTrafficEvent,
  release: TraceReleaseEvent,
};
const validators = Object.fromEntries(Object.entries(byKind).map(([k, s]) => [k, Compile(s)]));
const traceValidator = Compile(Trace);

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

const show = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

function valueAt(doc: unknown, path: string): unknown {
  return path
    .split("/")
    .slice(1)
    .reduce<unknown>((node, k) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[k.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), doc);
}

function fieldsOf(schema: TSchema | undefined, path: string): string[] {
  let node: unknown = schema;
  for (const k of path.split("/").slice(1)) {
    const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
    node = props?.[k];
  }
  return Object.keys((node as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
}

/** One readable line per schema error (`prefix` is the path of `doc` in the trace). */
function describe(errors: Iterable<SchemaError>, doc: unknown, schema: TSchema, prefix: string): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = `${prefix}${e.instancePath}` || "/";
    // Strict objects report an unknown field twice (`schema is false` on it, and on its object); keep one.
    if (e.keyword === "boolean") continue;
    if (e.keyword === "additionalProperties") {
      const extra = (e.params["additionalProperties"] as string[] | undefined) ?? [];
      for (const f of extra) out.push(`${path}: unknown field "${f}"; allowed: ${fieldsOf(schema, e.instancePath).join(", ")}`);
    } else if (e.keyword === "enum") {
      out.push(`${path}: ${show(valueAt(doc, e.instancePath))} is not allowed; allowed: ${((e.params["allowedValues"] as unknown[]) ?? []).join(", ")}`);
    } else if (e.keyword === "required") {
      const missing = (e.params["requiredProperties"] as string[] | undefined) ?? [];
      out.push(missing.length > 0 ? `${path}: missing ${missing.map((m) => `"${m}"`).join(", ")}` : `${path}: ${e.message}`);
    } else {
      out.push(`${path}: ${e.message}${valueAt(doc, e.instancePath) === undefined ? "" : ` (found ${show(valueAt(doc, e.instancePath))})`}`);
    }
  }
  return out;
}

/** Every mistake in `raw` as a trace; empty when it is a valid {@link Trace}. */
export function traceProblems(raw: unknown): string[] {
  if (traceValidator.Check(raw)) return [];
  const problems = describe(
    [...traceValidator.Errors(raw)].filter((e) => !/^\/events\/\d+/.test(e.instancePath)) as SchemaError[],
    raw,
    Trace,
    "",
  ).filter((p) => !/^\/events: /.test(p) || !Array.isArray((raw as { events?: unknown }).events));
  const events = (raw as { events?: unknown } | null)?.events;
  if (Array.isArray(events)) {
    events.forEach((ev, i) => {
      const at = `/events/${i}`;
      const kind = (ev as { kind?: unknown } | null)?.kind;
      if (typeof kind !== "string" || !(kind in byKind)) {
        problems.push(`${at}/kind: ${kind === undefined ? "missing" : `${show(kind)} is not an event kind`}; allowed: ${Object.keys(byKind).join(", ")}`);
        return;
      }
      const v = validators[kind]!;
      if (!v.Check(ev)) problems.push(...describe(v.Errors(ev) as Iterable<SchemaError>, ev, byKind[kind]!, at));
    });
  }
  return problems.length > 0 ? problems : [...traceValidator.Errors(raw)].slice(0, 8).map((e) => `${e.instancePath || "/"}: ${e.message}`);
}
