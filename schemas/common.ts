/** Shared building blocks of the schemas. */
import { Type, type TSchema, type TUnsafe } from "typebox";

/**
 * A string enum written as `{type: "string", enum: [...]}`: valid in Kubernetes structural schemas
 * (a CRD may not use `anyOf` of `const`s), and a plain union for TypeScript.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}

/**
 * A CEL rule the API server checks on a field (`x-kubernetes-validations` in the CRD). The codec ignores
 * it; `schemas/rollout-validate.ts` checks the same rule in TypeScript for the watcher.
 */
export interface CelRule {
  rule: string;
  message: string;
}

/** A strict object: unknown fields are rejected (unknown is an error, not a default). */
export function Strict<P extends Parameters<typeof Type.Object>[0]>(
  properties: P,
  options: { description?: string; "x-kubernetes-validations"?: CelRule[] } = {},
) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * `schema` documented: its `description` reaches the JSON Schema exports and the VMRollout CRD, so
 * `kubectl explain` shows it. A copy that keeps TypeBox's hidden markers (optional, kind), so
 * `Doc("…", Type.Optional(x))` stays optional.
 */
export function Doc<T extends object>(description: string, schema: T): T {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(schema)) as T;
  Object.defineProperty(copy, "description", { value: description, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A Kubernetes name (DNS-1123 subdomain). */
export const K8sName = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
  description: "A Kubernetes object name (DNS-1123 subdomain).",
});

/** A Kubernetes namespace (DNS-1123 label). */
export const K8sNamespace = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  description: "A Kubernetes namespace (DNS-1123 label).",
});

/** A release id: `<namespace>/<rollout>/<version>`. */
export const ReleaseId = Type.String({
  minLength: 5,
  maxLength: 400,
  pattern: "^[a-z0-9][-a-z0-9]*/[a-z0-9][-a-z0-9.]*/[A-Za-z0-9][-A-Za-z0-9._+]*$",
  description: "`<namespace>/<rollout>/<version>`.",
});

/** A version label value, e.g. `v2.3.0` (a Kubernetes label value). */
export const Version = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
  description: "A version, usable as a Kubernetes label value (e.g. `v2.3.0`).",
});

/** RFC 3339 timestamp. */
export const Timestamp = Type.String({ format: "date-time", description: "RFC 3339 time." });

/** Milliseconds since the epoch, as the workflows see time. */
export const EpochMs = Type.Integer({ minimum: 0, description: "Milliseconds since the Unix epoch." });

/** String → string map (labels, annotations, alert labels). */
export const StringMap = Type.Record(Type.String(), Type.String());

/** Reference to a namespaced object. */
export const ObjectRef = Strict({
  namespace: K8sNamespace,
  name: K8sName,
});

/** Who did something: a person (Slack user, CLI user) or a component. */
export const Actor = Strict({
  /** `slack`, `cli`, `api`, `github`, `system`, or `dashboard` (a person the dashboard authenticated: OIDC proxy or token). */
  kind: StringEnum(["slack", "cli", "api", "github", "system", "dashboard"] as const),
  /** Stable id (Slack user id, CLI user name, component name). */
  id: Type.String({ minLength: 1, maxLength: 200 }),
  /** Display name, when known. */
  name: Type.Optional(Type.String({ maxLength: 200 })),
});

/** Re-export for schema files. */
export type { TSchema };
