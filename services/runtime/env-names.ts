/** Mapping between config property paths and environment variables, and string → typed conversion. */

/** The JSON Schema fields the env mapping looks at (TypeBox schemas are plain JSON Schema). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
}

/** `natsUrl` → `NATS_URL`, `http2Port` → `HTTP2_PORT`. */
export function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toUpperCase();
}

/**
 * The variable of a property path. With `schema`, path segments below a leaf (array items, record
 * keys) are not part of the name but named after it: `SISKIN_NATS_SERVERS (item 2)`.
 */
export function envNameOf(prefix: string, path: readonly string[], schema?: JsonSchema): string {
  const named: string[] = [];
  let node = schema;
  let i = 0;
  for (; i < path.length; i++) {
    const seg = path[i] as string;
    if (node !== undefined && node.properties?.[seg] === undefined) break;
    named.push(upperSnake(seg));
    node = node?.properties?.[seg];
  }
  const rest = path.slice(i);
  const name = `${prefix}${named.join("_")}`;
  if (rest.length === 0) return name;
  if (rest.length === 1 && /^\d+$/.test(rest[0] as string)) return `${name} (item ${Number(rest[0]) + 1})`;
  return `${name} (at /${rest.join("/")})`;
}

/** The result of converting one variable. */
export type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

/** Convert the string of an env variable to the type `schema` asks for. */
export function coerceEnvValue(schema: JsonSchema, raw: string): Coerced {
  if (schema.anyOf !== undefined) {
    // A union: the first branch the string converts to (and matches, for constants) wins;
    // otherwise keep the string and let validation name the allowed values.
    for (const branch of schema.anyOf) {
      const c = coerceEnvValue(branch, raw);
      if (c.ok && (branch.const === undefined || branch.const === c.value)) return c;
    }
    return { ok: true, value: raw };
  }
  const s = raw.trim();
  switch (typeOf(schema)) {
    case "integer":
      return /^[+-]?\d+$/.test(s) ? { ok: true, value: Number(s) } : { ok: false, problem: `expected an integer, got ${JSON.stringify(raw)}` };
    case "number": {
      const n = Number(s);
      return s !== "" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, problem: `expected a number, got ${JSON.stringify(raw)}` };
    }
    case "boolean": {
      const l = s.toLowerCase();
      if (TRUE.has(l)) return { ok: true, value: true };
      if (FALSE.has(l)) return { ok: true, value: false };
      return { ok: false, problem: `expected true or false (also 1/0, yes/no, on/off), got ${JSON.stringify(raw)}` };
    }
    case "array": {
      const parts = raw.split(",").map((p) => p.trim()).filter((p) => p !== "");
      const items: unknown[] = [];
      for (const [i, p] of parts.entries()) {
        const c = schema.items === undefined ? ({ ok: true, value: p } as Coerced) : coerceEnvValue(schema.items, p);
        if (!c.ok) return { ok: false, problem: `item ${i + 1} of the comma-separated list: ${c.problem}` };
        items.push(c.value);
      }
      return { ok: true, value: items };
    }
    case "object":
      try {
        return { ok: true, value: JSON.parse(raw) as unknown };
      } catch {
        return { ok: false, problem: "expected a JSON object" };
      }
    default:
      return { ok: true, value: raw };
  }
}
