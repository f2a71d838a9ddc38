/**
 * The only place a payload is parsed and validated. `decode` never throws anything but
 * {@link InvalidMessageError}; `encode` refuses what its schema rejects.
 */
import { Compile } from "typebox/compile";
import type { Static } from "typebox";
import type { Validator } from "typebox/compile";
import { catalog, type Catalog } from "./catalog.js";
import { AnyEnvelope, type EnvelopeOf } from "./envelope.js";
import { SiskinError, type ErrorCode } from "./errors.js";
import type { Subject } from "./subjects.js";

/** The payload type of a subject. */
export type PayloadOf<S extends Subject> = Static<Catalog[S]["schema"]>;
/** A decoded message of a subject. */
export type MessageOf<S extends Subject> = EnvelopeOf<PayloadOf<S>> & { type: S };

/** A message that cannot be decoded: it is dead-lettered, never retried. */
export class InvalidMessageError extends SiskinError {
  /** Where in the message the first problems are (JSON pointers) and what is wrong. */
  readonly problems: string[];
  constructor(code: ErrorCode, message: string, problems: string[] = [], cause?: unknown) {
    super(code, message, { cause, retryable: false });
    this.name = "InvalidMessageError";
    this.problems = problems;
  }
}

const envelopeValidator = Compile(AnyEnvelope);
const payloadValidators = new Map<string, Validator>();
function payloadValidator(subject: Subject): Validator {
  let v = payloadValidators.get(subject);
  if (v === undefined) {
    v = Compile(catalog[subject].schema) as unknown as Validator;
    payloadValidators.set(subject, v);
  }
  return v;
}

/** True when the subject has a schema in the catalog. */
export function isKnownSubject(subject: string): subject is Subject {
  return Object.prototype.hasOwnProperty.call(catalog, subject);
}

function describe(errors: Iterable<{ instancePath: string; message: string }>, max = 5): string[] {
  const out: string[] = [];
  for (const e of errors) {
    out.push(`${e.instancePath || "/"}: ${e.message}`);
    if (out.length >= max) break;
  }
  return out;
}

/** Validate a payload against its subject's schema; returns problems (empty when valid). */
export function checkPayload(subject: Subject, data: unknown): string[] {
  const v = payloadValidator(subject);
  return v.Check(data) ? [] : describe(v.Errors(data));
}

/** Decode bytes received on `subject` into a typed message, or throw InvalidMessageError. */
export function decode<S extends Subject>(subject: S, bytes: Uint8Array | string): MessageOf<S>;
export function decode(subject: string, bytes: Uint8Array | string): MessageOf<Subject>;
export function decode(subject: string, bytes: Uint8Array | string): MessageOf<Subject> {
  if (!isKnownSubject(subject)) {
    throw new InvalidMessageError("SISKIN_ERR_UNKNOWN_SUBJECT", `no schema for subject "${subject}"; add it to schemas/catalog.ts`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8"));
  } catch (err) {
    throw new InvalidMessageError("SISKIN_ERR_INVALID_MESSAGE", `message on "${subject}" is not JSON: ${(err as Error).message}`, [], err);
  }
  if (!envelopeValidator.Check(parsed)) {
    const problems = describe(envelopeValidator.Errors(parsed));
    throw new InvalidMessageError("SISKIN_ERR_INVALID_MESSAGE", `message on "${subject}" has an invalid envelope: ${problems.join("; ")}`, problems);
  }
  const env = parsed as AnyEnvelope;
  if (env.type !== subject) {
    throw new InvalidMessageError("SISKIN_ERR_INVALID_MESSAGE", `message type "${env.type}" does not match its subject "${subject}"`);
  }
  const entry = catalog[subject];
  if (env.v !== entry.v) {
    throw new InvalidMessageError("SISKIN_ERR_UNSUPPORTED_VERSION", `message on "${subject}" has v${env.v}; this build reads v${entry.v}`);
  }
  const problems = checkPayload(subject, env.data);
  if (problems.length > 0) {
    throw new InvalidMessageError("SISKIN_ERR_INVALID_MESSAGE", `payload on "${subject}" is invalid: ${problems.join("; ")}`, problems);
  }
  return env as MessageOf<Subject>;
}

/** Fields of a message the sender chooses; the codec fills `type` and `v`. */
export interface Draft<S extends Subject> {
  id: string;
  occurredAt: string;
  releaseId?: string;
  causationId?: string;
  data: PayloadOf<S>;
}

/** Build and validate a message for `subject`; throws InvalidMessageError when the payload is invalid. */
export function message<S extends Subject>(subject: S, draft: Draft<S>): MessageOf<S> {
  const env = {
    id: draft.id,
    type: subject,
    v: catalog[subject].v,
    occurredAt: draft.occurredAt,
    ...(draft.releaseId === undefined ? {} : { releaseId: draft.releaseId }),
    ...(draft.causationId === undefined ? {} : { causationId: draft.causationId }),
    data: draft.data,
  };
  if (!envelopeValidator.Check(env)) {
    const problems = describe(envelopeValidator.Errors(env));
    throw new InvalidMessageError("SISKIN_ERR_INVALID_MESSAGE", `refusing to send an invalid envelope on "${subject}": ${problems.join("; ")}`, problems);
  }
  const problems = checkPayload(subject, env.data);
  if (problems.length > 0) {
    throw new InvalidMessageError("SISKIN_ERR_INVALID_MESSAGE", `refusing to send an invalid payload on "${subject}": ${problems.join("; ")}`, problems);
  }
  return env as unknown as MessageOf<S>;
}

/** Encode a message (built by {@link message}) to bytes. */
export function encode(msg: MessageOf<Subject>): Uint8Array {
  return Buffer.from(JSON.stringify(msg), "utf8");
}
