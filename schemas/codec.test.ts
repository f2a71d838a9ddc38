import fc from "fast-check";
import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { catalog } from "./catalog.js";
import { InvalidMessageError, decode, encode, message } from "./codec.js";
import { AnyEnvelope } from "./envelope.js";
import { ErrorCode, SiskinError } from "./errors.js";
import { Command, Consumer, Event, type Subject } from "./subjects.js";

/** The JSON Schema fields the generator reads. */
interface S {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: S[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: S;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, S>;
  patternProperties?: Record<string, S>;
  required?: string[];
}

/** Values valid for a (TypeBox) JSON schema; a last Value.Check filter keeps only valid ones. */
function arbitraryOf(s: S): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum !== undefined) return fc.constantFrom(...s.enum);
  if (s.anyOf !== undefined) return fc.oneof(...s.anyOf.map(arbitraryOf));
  switch (s.type) {
    case "string": {
      if (s.format === "uri") return fc.webUrl();
      if (s.format === "date-time") return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? min + 20;
      const base = s.pattern !== undefined ? fc.stringMatching(new RegExp(s.pattern)) : fc.string({ minLength: min, maxLength: Math.min(max, min + 20) });
      return base.filter((v) => v.length >= min && v.length <= max);
    }
    case "integer": {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1e6);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1e6);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case "number":
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1e6,
        max: s.maximum ?? s.exclusiveMaximum ?? 1e6,
        minExcluded: s.exclusiveMinimum !== undefined,
        maxExcluded: s.exclusiveMaximum !== undefined,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(s.items === undefined ? fc.jsonValue() : arbitraryOf(s.items), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, Math.max(3, s.minItems ?? 0)),
      });
    case "object": {
      if (s.properties !== undefined) {
        const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, arbitraryOf(v)]));
        return fc.record(props, { requiredKeys: (s.required ?? []) as never });
      }
      const values = Object.values(s.patternProperties ?? {})[0];
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), values === undefined ? fc.jsonValue() : arbitraryOf(values), { maxKeys: 3 });
    }
    default:
      return fc.jsonValue();
  }
}

const subjects = Object.keys(catalog) as Subject[];

function validMessage(subject: Subject) {
  const schema = catalog[subject].schema;
  return fc
    .record({
      id: fc.string({ minLength: 1, maxLength: 40 }),
      occurredAt: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
      releaseId: fc.option(fc.constantFrom("shop/cart/v2.3.0", "ns-1/web/v1"), { nil: undefined }),
      data: arbitraryOf(schema as S).filter((d) => Value.Check(schema, d)),
    })
    .map(({ releaseId, ...rest }) => message(subject, { ...rest, ...(releaseId === undefined ? {} : { releaseId }), data: rest.data as never }));
}

/** decode() either accepts a value its schemas accept, or throws InvalidMessageError; nothing else. */
function decodesSafely(subject: Subject, bytes: Uint8Array | string): "accepted" | "rejected" {
  try {
    const msg = decode(subject, bytes);
    expect(Value.Check(AnyEnvelope, msg)).toBe(true);
    expect(Value.Check(catalog[subject].schema, msg.data)).toBe(true);
    expect(msg.type).toBe(subject);
    return "accepted";
  } catch (err) {
    if (!(err instanceof InvalidMessageError)) throw err;
    expect(err.retryable).toBe(false);
    return "rejected";
  }
}

type Path = Array<string | number>;
function paths(v: unknown, at: Path = []): Path[] {
  if (v === null || typeof v !== "object") return [at];
  const kids = Array.isArray(v) ? v.map((x, i) => paths(x, [...at, i])) : Object.entries(v).map(([k, x]) => paths(x, [...at, k]));
  return [at, ...kids.flat()];
}
function mutate(root: unknown, path: Path, op: "drop" | "retype" | "extra", replacement: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  if (path.length === 0) return op === "retype" ? replacement : copy;
  let parent = copy;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (op === "drop") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op === "retype") parent[last] = replacement;
  else if (parent[last] !== null && typeof parent[last] === "object" && !Array.isArray(parent[last])) {
    (parent[last] as Record<string, unknown>).zz_extra_field = replacement;
  } else parent.zz_extra_field = replacement;
  return copy;
}

describe("decode is total and strict", () => {
  it.each(subjects)("%s: random bytes, random JSON and anything else", (subject) => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string(), fc.json(), fc.anything().map((a) => JSON.stringify(a) ?? "undefined")), (input) => {
        decodesSafely(subject, input);
      }),
      { numRuns: 60 },
    );
  });

  it.each(subjects)("%s: random envelopes around random payloads", (subject) => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(subject, "evt.other.thing"), fc.constantFrom(1, 2), (data, type, v) => {
        const env = { id: "x", type, v, occurredAt: "2026-01-01T00:00:00Z", data };
        decodesSafely(subject, JSON.stringify(env) ?? "");
      }),
      { numRuns: 40 },
    );
  });

  it.each(subjects)("%s: valid messages round-trip; mutated ones are refused or still valid", (subject) => {
    fc.assert(
      fc.property(
        validMessage(subject).chain((m) => fc.tuple(fc.constant(m), fc.constantFrom(...paths(m)), fc.constantFrom("drop", "retype", "extra" as const), fc.anything())),
        ([msg, path, op, replacement]) => {
          // JSON has no -0; compare with what JSON can carry.
          expect(decode(subject, encode(msg))).toEqual(JSON.parse(JSON.stringify(msg)));
          const bad = mutate(msg, path, op as "drop" | "retype" | "extra", replacement);
          decodesSafely(subject, JSON.stringify(bad) ?? "");
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each(subjects)("%s: a missing required field, or an extra field, is refused", (subject) => {
    fc.assert(
      fc.property(validMessage(subject), (msg) => {
        const schema = catalog[subject].schema as unknown as S;
        for (const key of schema.required ?? []) {
          const data = { ...(msg.data as Record<string, unknown>) };
          delete data[key];
          expect(decodesSafely(subject, JSON.stringify({ ...msg, data }))).toBe("rejected");
        }
        expect(decodesSafely(subject, JSON.stringify({ ...msg, data: { ...(msg.data as object), zz_extra: 1 } }))).toBe("rejected");
        expect(decodesSafely(subject, JSON.stringify({ ...msg, zz_extra: 1 }))).toBe("rejected");
      }),
      { numRuns: 10 },
    );
  });

  it("an unknown subject and a wrong version are refused with their codes", () => {
    expect(() => decode("evt.nope.nothing", "{}")).toThrow(expect.objectContaining({ code: "SISKIN_ERR_UNKNOWN_SUBJECT" }));
    const env = { id: "x", type: Command.analysisStop, v: 2, occurredAt: "2026-01-01T00:00:00Z", data: { reason: "r" } };
    expect(() => decode(Command.analysisStop, JSON.stringify(env))).toThrow(expect.objectContaining({ code: "SISKIN_ERR_UNSUPPORTED_VERSION" }));
  });
});

describe("the contract tables", () => {
  it("every ErrorCode key is unique, well-formed, and is the code of its SiskinError", () => {
    const keys = Object.keys(ErrorCode);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(Object.values(ErrorCode).map((e) => e.text)).size).toBe(keys.length);
    for (const k of keys as ErrorCode[]) {
      expect(k).toMatch(/^SISKIN_ERR_[A-Z][A-Z_]*[A-Z]$/);
      const e = new SiskinError(k, "m");
      expect(e.code).toBe(k);
      expect(e.retryable).toBe(ErrorCode[k].retryable);
    }
  });

  const PAST_IRREGULAR = new Set(["set", "sent", "built", "run", "begun", "done", "held", "lost", "made"]);
  it.each(subjects)("%s is named evt.<domain>.<past> or cmd.<owner>.<verb> in snake_case", (subject) => {
    const m = /^(evt|cmd)\.([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\.([a-z][a-z0-9]*(?:_[a-z0-9]+)*)$/.exec(subject);
    expect(m, subject).not.toBeNull();
    if (m?.[1] === "evt") {
      const lastWord = (m[3] ?? "").split("_").pop() ?? "";
      expect(lastWord.endsWith("ed") || PAST_IRREGULAR.has(lastWord), `${subject} should end in a past tense`).toBe(true);
    }
  });

  it("the catalog covers exactly the events and commands, each subject once", () => {
    const all = [...Object.values(Event), ...Object.values(Command)];
    expect(new Set(all).size).toBe(all.length);
    expect([...subjects].sort()).toEqual([...all].sort());
    for (const s of Object.values(Event)) expect(s.startsWith("evt.")).toBe(true);
    for (const s of Object.values(Command)) expect(s.startsWith("cmd.")).toBe(true);
  });

  it("every consumer filter subject names (or, as a wildcard, matches) an event or command", () => {
    const all: string[] = [...Object.values(Event), ...Object.values(Command)];
    const matches = (f: string, s: string) => {
      const ft = f.split(".");
      const st = s.split(".");
      return ft.every((t, i) => t === ">" || t === "*" || t === st[i]) && (ft.includes(">") ? st.length >= ft.length : st.length === ft.length);
    };
    for (const [name, c] of Object.entries(Consumer)) {
      for (const f of c.filterSubjects) expect(all.some((s) => matches(f, s)), `${name}: ${f}`).toBe(true);
      const streamPrefix = c.stream === "EVENTS" ? "evt." : "cmd.";
      for (const f of c.filterSubjects) expect(f.startsWith(streamPrefix), `${name}: ${f} is on ${c.stream}`).toBe(true);
    }
  });
});
