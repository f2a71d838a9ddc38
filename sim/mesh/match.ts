// Envoy's evaluation of an Istio HTTPMatchRequest against one request. Pure.
import type { HttpMatchRequest, StringMatch } from "./types.js";

/** The parts of a request that matches look at. Header names are compared lower-case. */
export interface MatchInput {
  /** Path with optional query string, e.g. `/reviews/1?x=y`. */
  path: string;
  method: string;
  scheme: string;
  /** Host header as sent (`reviews`, `reviews.default:9080`, …). */
  authority: string;
  port: number;
  headers: Record<string, string>;
  sourceNamespace: string | undefined;
  sourceLabels: Record<string, string> | undefined;
}

const regexCache = new Map<string, RegExp | null>();

/** RE2-style whole-string match (Envoy's safe_regex must match the full value); an invalid regex never matches. */
export function fullMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, "s");
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re !== null && re.test(value);
}

/**
 * Evaluates one StringMatch. `undefined` value = absent: only `{}` (presence) cannot match it either.
 * An empty StringMatch matches any present value; a StringMatch with an unknown kind never matches.
 */
export function stringMatches(m: StringMatch, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (m.exact !== undefined) return v === (ignoreCase ? m.exact.toLowerCase() : m.exact);
  if (m.prefix !== undefined) return v.startsWith(ignoreCase ? m.prefix.toLowerCase() : m.prefix);
  if (m.regex !== undefined) return fullMatch(m.regex, value);
  return Object.keys(m).length === 0;
}

function splitPath(path: string): { uri: string; query: Map<string, string> } {
  const q = path.indexOf("?");
  const uri = q < 0 ? path : path.slice(0, q);
  const query = new Map<string, string>();
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(path.slice(q + 1))) if (!query.has(k)) query.set(k, v);
  }
  return { uri: uri === "" ? "/" : uri, query };
}

function lower(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** True when every condition of one HTTPMatchRequest holds (conditions inside one match are ANDed). */
export function requestMatches(m: HttpMatchRequest, input: MatchInput): boolean {
  const { uri, query } = splitPath(input.path);
  const headers = lower(input.headers);
  if (m.uri !== undefined && !stringMatches(m.uri, uri, m.ignoreUriCase === true)) return false;
  if (m.method !== undefined && !stringMatches(m.method, input.method.toUpperCase())) return false;
  if (m.scheme !== undefined && !stringMatches(m.scheme, input.scheme)) return false;
  if (m.authority !== undefined && !stringMatches(m.authority, input.authority)) return false;
  if (m.port !== undefined && m.port !== input.port) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== input.sourceNamespace) return false;
  if (m.sourceLabels !== undefined) {
    const labels = input.sourceLabels;
    if (labels === undefined || !Object.entries(m.sourceLabels).every(([k, v]) => labels[k] === v)) return false;
  }
  if (Array.isArray(m["gateways"]) && !(m["gateways"] as unknown[]).includes("mesh")) return false;
  for (const [name, sm] of Object.entries(m.headers ?? {})) {
    if (!stringMatches(sm, headers[name.toLowerCase()])) return false;
  }
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {})) {
    if (stringMatches(sm, headers[name.toLowerCase()])) return false;
  }
  for (const [name, sm] of Object.entries(m.queryParams ?? {})) {
    if (!stringMatches(sm, query.get(name))) return false;
  }
  return true;
}

/** An absent or empty `match` list matches everything; otherwise any one entry must match (ORed). */
export function anyMatches(matches: HttpMatchRequest[] | undefined, input: MatchInput): boolean {
  if (matches === undefined || matches.length === 0) return true;
  return matches.some((m) => requestMatches(m, input));
}
