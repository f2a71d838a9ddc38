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

const SECRET_KEYS = ["token", "password", "pass", "authorization", "secret", "signature", "apiKey", "credentials", "cookie"];

/**
 * Paths pino censors: each secret key at the top level, one and two levels down, in any-cased
 * `Authorization` headers and in `req.headers`/`headers` objects.
 */
export const redactPaths: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  "Authorization",
  "*.Authorization",
  "*.*.Authorization",
  'headers["x-slack-signature"]',
  'headers["x-hub-signature-256"]',
  '*.headers["x-slack-signature"]',
  '*.headers["x-hub-signature-256"]',
];

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
    redact: { paths: [...redactPaths], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination !== undefined) return pino(base, opts.destination);
  if (opts.pretty === true) return pino({ ...base, transport: { target: "pino-pretty", options: { colorize: false } } });
  return pino(base);
}
