import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertLabelName, escapeLabelValue, escapeRegex, escapeSingleQuoted, labelEquals, labelIn, regexAlternation } from "./promql-escape.js";

/** Go's unquoting of the inside of a PromQL string literal, as the PromQL lexer reads it; throws where the lexer would. */
function unquote(inner: string, quote: string): string {
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === quote) throw new Error(`unescaped ${quote} at ${i}: the literal would end here`);
    if (c === "\n") throw new Error("raw newline in a string literal");
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = inner[++i];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", '"': '"', "'": "'" };
    if (n !== undefined && n in simple) out += simple[n];
    else if (n === "x") {
      out += String.fromCharCode(parseInt(inner.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new Error(`unknown escape \\${n}`);
  }
  return out;
}

const hostile = [
  'a"} or vector(1) #',
  '"}',
  "x\\",
  'x\\"}',
  "back\\slash",
  'quote"inside',
  "new\nline",
  "tab\tand\rcr",
  "bell\u0007",
  "ünïcödé ✓",
  "",
];

describe("escapeLabelValue", () => {
  it.each(hostile)("keeps %j inside its double-quoted literal and round-trips", (v) => {
    const e = escapeLabelValue(v);
    expect(unquote(e, '"')).toBe(v);
  });

  it("escapes a `\"}` injection so the matcher stays one matcher", () => {
    expect(labelEquals("destination_workload_namespace", 'x"} or vector(1) #')).toBe(
      'destination_workload_namespace="x\\"} or vector(1) #"',
    );
  });

  it("round-trips any string (property)", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (v) => unquote(escapeLabelValue(v), '"') === v));
  });
});

describe("escapeSingleQuoted", () => {
  it.each(["it's", "'} or vector(1) #", 'mixed"\'\\', "plain"])("round-trips %j inside '...'", (v) => {
    expect(unquote(escapeSingleQuoted(v), "'")).toBe(v);
  });
});

describe("escapeRegex", () => {
  it.each([
    ["v2.3.0", "v2\\.3\\.0"],
    ["a|b", "a\\|b"],
    [".*", "\\.\\*"],
    ["(x)[y]{z}^$+?\\", "\\(x\\)\\[y\\]\\{z\\}\\^\\$\\+\\?\\\\"],
    ["ratings", "ratings"],
  ])("escapes %j as %j", (v, want) => {
    expect(escapeRegex(v)).toBe(want);
  });

  it("matches exactly the value and nothing else (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (v, other) => {
        const re = new RegExp(`^(?:${escapeRegex(v)})$`, "u");
        return re.test(v) && (other === v || !re.test(other));
      }),
    );
  });
});

describe("regexAlternation / labelIn", () => {
  it("sorts, de-duplicates and escapes, then escapes for the string literal", () => {
    expect(regexAlternation(["reviews", "ratings", "reviews"])).toBe("ratings|reviews");
    expect(labelIn("destination_version", ["v2.0", "v1.0"])).toBe('destination_version=~"v1\\\\.0|v2\\\\.0"');
  });

  it("a hostile value cannot end the regex literal or add an alternative", () => {
    const m = labelIn("destination_canonical_service", ['x"} or vector(1) #', "a|.*"]);
    const inner = m.slice('destination_canonical_service=~"'.length, -1);
    const regex = unquote(inner, '"');
    const re = new RegExp(`^(?:${regex})$`);
    expect(re.test('x"} or vector(1) #')).toBe(true);
    expect(re.test("a|.*")).toBe(true);
    expect(re.test("anything")).toBe(false);
    expect(re.test("a")).toBe(false);
  });
});

describe("assertLabelName", () => {
  it("accepts label names and refuses anything else", () => {
    expect(assertLabelName("destination_version")).toBe("destination_version");
    expect(() => assertLabelName('x="y"} or vector(1)')).toThrow(/not a Prometheus label name/);
    expect(() => assertLabelName("1abc")).toThrow(/label config/);
  });
});
