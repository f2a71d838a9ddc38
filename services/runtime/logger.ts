/** The root pino logger of a service: JSON lines, constant field keys, secrets redacted. */
import { pino, type DestinationStream, type Logger } from "pino";

/** Field names every Siskin log line uses (argo's `RolloutKey`): children are `child({[LogField.releaseId]: id})`. */
export const LogField = {
  service: "service",
  releaseId: "releaseId",
  subject: "subject",
  consumer: "consumer",
} as const;
export type LogField = (typeof LogField)[keyof typeof LogField];

/**
 * Keys whose values are secrets wherever they appear: `token`, `botToken`, `bearerToken`,
 * `signingSecret`, `webhookSecret`, `client_secret`, `password`, `pass`, `authorization`,
 * `x-hub-signature-256`, `apiKey`, `credentials`, `cookie`, `privateKey`, `SISKIN_API_TOKEN`...
 */
const SECRET_KEY = /token|secret|password|passwd|^pass$|authorization|signature|api[-_]?key|credentials|cookie|private[-_]?key/i;
/** The password of a URL's userinfo: `scheme://user:<password>@host`. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi;
const CENSOR = "[redacted]";
const MAX_DEPTH = 32;

/** `text` with the passwords of URLs in it censored. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1${CENSOR}@`);
}

/**
 * A copy of `value` with secrets censored at any depth: the values of {@link SECRET_KEY} keys, and
 * passwords in URLs inside strings. Errors and other class instances are kept as they are (pino's
 * serializers handle them); cycles and depth beyond 32 are cut.
 */
export function redactSecrets(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === "string") return value.includes("://") ? redactUrlPasswords(value) : value;
  if (typeof value !== "object" || value === null) return value;
  const isArray = Array.isArray(value);
  if (!isArray && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  seen.add(value);
  if (isArray) return value.map((v) => redactSecrets(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? CENSOR : redactSecrets(v, depth + 1, seen);
  return out;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The service name, put on every line as `service`. */
  service: string;
  /** pino level (default "info"). */
  level?: string;
  /** Human-readable output (pino-pretty in-process) for local runs. */
  pretty?: boolean;
  /** Where lines go (default stdout); tests pass a stream to inspect. */
  destination?: DestinationStream;
}

/** Create the one root logger of a service; everything else logs through `child()`. */
export function createLogger(opts: LoggerOptions): Logger {
  const base = {
    level: opts.level ?? "info",
    base: { [LogField.service]: opts.service },
    // Every line's object passes redactSecrets (children's bindings too, see redactingChildren);
    // string arguments (the message) lose URL passwords. Deeper than pino's path-based redact.
    formatters: { log: (o: Record<string, unknown>) => redactSecrets(o) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === "string" ? redactUrlPasswords(a) : a)));
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination !== undefined) return redactingChildren(pino(base, opts.destination));
  if (opts.pretty === true) return redactingChildren(pino({ ...base, transport: { target: "pino-pretty", options: { colorize: false } } }));
  return redactingChildren(pino(base));
}

/**
 * pino serializes a child's bindings once, without the log formatter: redact them on the way in.
 * Children are prototype-linked to the root, so they inherit this `child` and call it as themselves.
 */
function redactingChildren(root: Logger): Logger {
  const original = Object.getPrototypeOf(root).child as Logger["child"];
  root.child = function (this: Logger, bindings, options) {
    return original.call(this, redactSecrets(bindings) as typeof bindings, options);
  } as Logger["child"];
  return root;
}
