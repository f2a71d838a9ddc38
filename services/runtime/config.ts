/**
 * Configuration from environment variables, validated once at the door and frozen (fastify's
 * `validateInitialConfig`): every problem is listed in one error. Pure: the caller passes the env.
 */
import { Type, type Static, type TSchema } from "typebox";
import { Value } from "typebox/value";
import { SiskinError } from "../../schemas/errors.js";
import { coerceEnvValue, envNameOf, type JsonSchema } from "./env-names.js";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Prefix of every variable (default `SISKIN_`): property `natsUrl` reads `SISKIN_NATS_URL`. */
  prefix?: string;
}

/** NATS connection settings every service embeds as `nats` (variables `SISKIN_NATS_*`). */
export const NatsConfig = Type.Object(
  {
    /** Server URLs, comma-separated in the env (`SISKIN_NATS_SERVERS`). */
    servers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ["nats://127.0.0.1:4222"] }),
    /** User name (with `pass`). */
    user: Type.Optional(Type.String({ minLength: 1 })),
    /** Password (with `user`). Redacted in logs. */
    pass: Type.Optional(Type.String({ minLength: 1 })),
    /** Token auth. Redacted in logs. */
    token: Type.Optional(Type.String({ minLength: 1 })),
    /** Path of a `.creds` file (JWT + nkey seed), re-read on every reconnect. */
    credsFile: Type.Optional(Type.String({ minLength: 1 })),
    /** TLS files (`SISKIN_NATS_TLS_CA_FILE`, `..._CERT_FILE`, `..._KEY_FILE`). */
    tls: Type.Optional(
      Type.Object(
        {
          caFile: Type.Optional(Type.String({ minLength: 1 })),
          certFile: Type.Optional(Type.String({ minLength: 1 })),
          keyFile: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Client connection name shown by the server (defaults to the service name). */
    name: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * Prefix of the reply inboxes (`SISKIN_NATS_INBOX_PREFIX`); default `_INBOX_<user>` when `user` is
     * set, matching the subscribe permission each user gets, so no user reads another's replies.
     */
    inboxPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$" })),
  },
  { additionalProperties: false },
);
export type NatsConfig = Static<typeof NatsConfig>;

/** The health/metrics HTTP listener every service embeds as `http` (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
export const HttpConfig = Type.Object(
  {
    /** Bind address; loopback unless the deployment says otherwise. */
    host: Type.String({ minLength: 1, default: "127.0.0.1" }),
    /** Port; 0 picks a free one (tests). */
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  },
  { additionalProperties: false },
);
export type HttpConfig = Static<typeof HttpConfig>;

type Problem = { variable: string; text: string };

/** Build the raw object from env following the schema's properties; nested objects recurse. */
function readObject(
  schema: JsonSchema,
  env: Record<string, string | undefined>,
  path: string[],
  prefix: string,
  out: Problem[],
): { value: Record<string, unknown>; found: boolean } {
  const obj: Record<string, unknown> = {};
  let found = false;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const subPath = [...path, key];
    if (sub.type === "object" && sub.properties !== undefined) {
      const nested = readObject(sub, env, subPath, prefix, out);
      // A required nested object is always created so its leaves' defaults apply.
      if (nested.found || (schema.required ?? []).includes(key)) obj[key] = nested.value;
      found ||= nested.found;
      continue;
    }
    const variable = envNameOf(prefix, subPath);
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    found = true;
    const converted = coerceEnvValue(sub, raw);
    if (converted.ok) obj[key] = converted.value;
    else out.push({ variable, text: converted.problem });
  }
  return { value: obj, found };
}

function describeError(schema: JsonSchema, e: { keyword: string; instancePath: string; params: Record<string, unknown>; message: string }, prefix: string): Problem[] {
  const path = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (e.keyword === "required") {
    const missing = (e.params.requiredProperties as string[] | undefined) ?? [];
    return missing.map((p) => ({ variable: envNameOf(prefix, [...path, p], schema), text: "is required and has no default" }));
  }
  let text = e.message;
  if (e.keyword === "enum") text = `must be one of ${(e.params.allowedValues as unknown[]).map(String).join(", ")}`;
  if (e.keyword === "anyOf") {
    let node: JsonSchema | undefined = schema;
    for (const seg of path) node = node?.properties?.[seg];
    const consts = node?.anyOf?.map((b) => b.const);
    if (consts !== undefined && consts.every((c) => c !== undefined)) text = `must be one of ${consts.map(String).join(", ")}`;
  }
  return [{ variable: envNameOf(prefix, path, schema), text }];
}

/**
 * Read a config object of `schema` from `env`: property `fooBar` of a nested `nats` object reads
 * `<prefix>NATS_FOO_BAR`. Strings are converted to the schema's types (integers, numbers, booleans
 * `true/false/1/0/yes/no/on/off`, arrays split on commas, records as JSON); an empty variable counts as
 * unset; defaults apply; then the whole object is validated. Every problem is reported at once in a
 * `SiskinError("SISKIN_ERR_INVALID_CONFIG")` naming each variable. The result is deep-frozen.
 */
export function loadConfig<T extends TSchema>(
  schema: T,
  env: Record<string, string | undefined>,
  opts: LoadConfigOptions = {},
): Readonly<Static<T>> {
  const prefix = opts.prefix ?? "SISKIN_";
  const js = schema as unknown as JsonSchema;
  if (js.type !== "object" || js.properties === undefined) {
    throw new SiskinError("SISKIN_ERR_INTERNAL", "loadConfig: the config schema must be a Type.Object with properties");
  }
  const problems: Problem[] = [];
  const raw = readObject(js, env, [], prefix, problems).value;
  const value = Value.Default(schema, raw);
  const unconverted = new Set(problems.map((p) => p.variable));
  for (const e of Value.Errors(schema, value)) {
    // anyOf branches report one error each; the anyOf summary is enough.
    if (/\/anyOf\/\d+/.test(e.schemaPath)) continue;
    for (const p of describeError(js, e as never, prefix)) {
      // A variable that failed conversion already has its problem listed.
      if (unconverted.has(p.variable)) continue;
      problems.push(p);
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.variable}: ${p.text}`).join("\n");
    throw new SiskinError(
      "SISKIN_ERR_INVALID_CONFIG",
      `configuration from the environment is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); fix these variables and restart:\n${lines}`,
    );
  }
  return deepFreeze(value) as Readonly<Static<T>>;
}

/** Freeze an object and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
