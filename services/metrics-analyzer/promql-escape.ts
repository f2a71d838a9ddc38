/**
 * Escaping of values placed into PromQL text. Pure. A label value (namespace, service, version) must
 * never be able to end its string literal or its regex and inject PromQL: `"}` stays data.
 */

/**
 * Escape `value` for the inside of a double-quoted PromQL string literal (`"..."`): backslash and
 * double quote get a backslash; control characters become Go escapes (a raw newline is a syntax error).
 */
export function escapeLabelValue(value: string): string {
  return escapeQuoted(value, '"');
}

/** Escape `value` for a single-quoted PromQL string literal (`'...'`). */
export function escapeSingleQuoted(value: string): string {
  return escapeQuoted(value, "'");
}

function escapeQuoted(value: string, quote: '"' | "'"): string {
  let out = "";
  for (const ch of value) {
    switch (ch) {
      case "\\":
        out += "\\\\";
        break;
      case quote:
        out += `\\${quote}`;
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : ch;
      }
    }
  }
  return out;
}

/** RE2 metacharacters (Prometheus regex matchers are RE2, fully anchored). */
const REGEX_META = /[\\.+*?()|[\]{}^$]/g;

/** Escape `value` so an RE2 regex matches exactly that string (the regex text, before string-literal escaping). */
export function escapeRegex(value: string): string {
  return value.replace(REGEX_META, (c) => `\\${c}`);
}

/**
 * The body of a double-quoted regex matcher that matches exactly one of `values`:
 * `destination_canonical_service=~"${regexAlternation(["ratings", "reviews"])}"`. Values are
 * de-duplicated and sorted, so the query text does not depend on the order releases were registered.
 */
export function regexAlternation(values: Iterable<string>): string {
  const sorted = [...new Set(values)].sort();
  return escapeLabelValue(sorted.map(escapeRegex).join("|"));
}

/** A PromQL label matcher `name="value"` with the value escaped. The name must be a valid label name. */
export function labelEquals(name: string, value: string): string {
  return `${assertLabelName(name)}="${escapeLabelValue(value)}"`;
}

/** A PromQL label matcher `name=~"a|b"` matching exactly the given values. */
export function labelIn(name: string, values: Iterable<string>): string {
  return `${assertLabelName(name)}=~"${regexAlternation(values)}"`;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws when `name` is not a Prometheus label name (names come from config, never from releases). */
export function assertLabelName(name: string): string {
  if (!LABEL_NAME.test(name)) {
    throw new Error(`"${name}" is not a Prometheus label name (expected [a-zA-Z_][a-zA-Z0-9_]*); fix the analyzer's label config`);
  }
  return name;
}
