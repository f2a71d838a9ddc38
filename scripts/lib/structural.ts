/**
 * Turn a TypeBox (JSON Schema 2020-12) schema into a Kubernetes structural OpenAPI v3 schema:
 * `patternProperties` → `additionalProperties`, `const` → `enum`, `anyOf [T, null]` → `nullable`,
 * numeric `exclusiveMinimum` → boolean form, `additionalProperties: false` dropped (the API server
 * prunes unknown fields and kubectl's validation reports them), `{}` → preserve-unknown-fields.
 */
type Json = Record<string, unknown>;

export function toStructural(schema: Json): Json {
  const s: Json = { ...schema };
  if (Array.isArray(s.anyOf)) {
    const alts = (s.anyOf as Json[]).filter((a) => a.type !== "null");
    const nullable = alts.length !== (s.anyOf as Json[]).length;
    if (alts.length === 1) {
      const { anyOf: _drop, ...rest } = s;
      return { ...toStructural({ ...rest, ...alts[0] }), ...(nullable ? { nullable: true } : {}) };
    }
    const { anyOf: _a, ...rest } = s;
    return { ...rest, "x-kubernetes-preserve-unknown-fields": true, ...(nullable ? { nullable: true } : {}) };
  }
  if ("const" in s) {
    s.enum = [s.const];
    delete s.const;
  }
  for (const k of ["exclusiveMinimum", "exclusiveMaximum"] as const) {
    if (typeof s[k] === "number") {
      s[k === "exclusiveMinimum" ? "minimum" : "maximum"] = s[k];
      s[k] = true;
    }
  }
  if (s.patternProperties !== undefined) {
    const values = Object.values(s.patternProperties as Json) as Json[];
    delete s.patternProperties;
    s.type = "object";
    s.additionalProperties = values[0] ? toStructural(values[0]) : { type: "string" };
  }
  if (s.properties !== undefined) {
    s.properties = Object.fromEntries(
      Object.entries(s.properties as Json).map(([k, v]) => [k, toStructural(v as Json)]),
    );
    if (s.additionalProperties === false) delete s.additionalProperties;
    if (s.additionalProperties === true) {
      delete s.additionalProperties;
      s["x-kubernetes-preserve-unknown-fields"] = true;
    }
  }
  if (s.items !== undefined) s.items = toStructural(s.items as Json);
  if (s.type === undefined && s.properties === undefined && s.enum === undefined) {
    return { ...s, "x-kubernetes-preserve-unknown-fields": true };
  }
  return s;
}
