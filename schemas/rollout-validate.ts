/**
 * Every problem of a VMRollout spec, each with its Kubernetes field path, as the k8s-watcher reports it
 * in the `SpecValid` condition. Three layers, checked in order:
 * 1. the TypeBox schema the CRD is generated from (types, bounds, enums, unknown fields);
 * 2. the CRD's CEL rules (`x-kubernetes-validations`), the same rules written in TypeScript, for an API
 *    server too old to run them or a spec stored before the CRD had them;
 * 3. what no CRD schema can say: KubeVirt's own requirement on the VM template (our schema preserves
 *    it as unknown fields) and the placeholders the metrics-analyzer can render in a PromQL template.
 * Pure.
 */
import { Value } from "typebox/value";
import { VMRolloutSpec } from "./rollout.js";

/** One problem: where (`spec.steps[1].weight`) and what. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** Placeholders a custom PromQL template may use (the metrics-analyzer renders these only). */
export const QueryPlaceholders = ["namespace", "service", "interval"] as const;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `/steps/0/weight` → `spec.steps[0].weight`. */
function fieldPath(pointer: string, extra?: string): string {
  const segs = pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) segs.push(extra);
  return segs.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : `${acc}.${s}`), "spec");
}

function schemaProblems(spec: unknown): SpecProblem[] {
  const out: SpecProblem[] = [];
  for (const e of Value.Errors(VMRolloutSpec, spec)) {
    // A closed object reports an unknown field twice: as a `false` schema and as the object's error.
    if (e.keyword === "boolean") continue;
    if (e.keyword === "additionalProperties") {
      for (const name of (e.params as { additionalProperties: string[] }).additionalProperties) {
        out.push({ path: fieldPath(e.instancePath, name), message: `unknown field "${name}"` });
      }
      continue;
    }
    if (e.keyword === "required") {
      for (const name of (e.params as { requiredProperties: string[] }).requiredProperties) {
        out.push({ path: fieldPath(e.instancePath, name), message: "Required value" });
      }
      continue;
    }
    out.push({ path: fieldPath(e.instancePath), message: e.message });
  }
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(`${p.path}\n${p.message}`) && seen.add(`${p.path}\n${p.message}`));
}

/** The CRD's CEL rules (schemas/rollout.ts), on a spec that passed the schema. */
function celProblems(spec: Json): SpecProblem[] {
  const out: SpecProblem[] = [];
  const steps = Array.isArray(spec.steps) ? (spec.steps as Json[]) : [];
  steps.forEach((s, i) => {
    const prev = steps[i - 1];
    if (prev !== undefined && !((s.weight as number) > (prev.weight as number))) {
      out.push({ path: `spec.steps[${i}].weight`, message: `${String(s.weight)} is not above the previous step's ${String(prev.weight)}: step weights must strictly increase` });
    }
  });
  const metrics = isObj(spec.analysis) && Array.isArray(spec.analysis.metrics) ? (spec.analysis.metrics as Json[]) : [];
  const names = new Set<unknown>();
  metrics.forEach((m, i) => {
    if ((m.builtin === undefined) === (m.query === undefined)) out.push({ path: `spec.analysis.metrics[${i}]`, message: "exactly one of builtin or query must be set" });
    if (names.has(m.name)) out.push({ path: `spec.analysis.metrics[${i}].name`, message: `metric names must be unique: ${JSON.stringify(m.name)} is used twice` });
    names.add(m.name);
  });
  return out;
}

/** What the schema cannot express. */
function beyondSchema(spec: Json): SpecProblem[] {
  const out: SpecProblem[] = [];
  const template = isObj(spec.vmTemplate) && isObj(spec.vmTemplate.spec) ? spec.vmTemplate.spec : {};
  if (!isObj(template.domain)) {
    out.push({ path: "spec.vmTemplate.spec.domain", message: "Required value: KubeVirt refuses a VirtualMachine template without a domain" });
  }
  const metrics = isObj(spec.analysis) && Array.isArray(spec.analysis.metrics) ? (spec.analysis.metrics as Json[]) : [];
  metrics.forEach((m, i) => {
    if (typeof m.query !== "string") return;
    for (const [, name] of m.query.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)) {
      if (!(QueryPlaceholders as readonly string[]).includes(name ?? "")) {
        out.push({
          path: `spec.analysis.metrics[${i}].query`,
          message: `unknown placeholder {{${name ?? ""}}}: use ${QueryPlaceholders.map((p) => `{{${p}}}`).join(", ")}`,
        });
      }
    }
  });
  return out;
}

/** Every problem of `spec` (empty when the spec is valid). */
export function rolloutSpecProblems(written: unknown): SpecProblem[] {
  // The API server fills the CRD's defaults in before anyone reads the spec; so do we.
  const spec = Value.Default(VMRolloutSpec, structuredClone(written));
  const schema = schemaProblems(spec);
  if (schema.length > 0 || !isObj(spec)) return schema;
  return [...celProblems(spec), ...beyondSchema(spec)];
}
