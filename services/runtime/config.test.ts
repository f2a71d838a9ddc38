import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { SiskinError } from "../../schemas/errors.js";
import { HttpConfig, NatsConfig, loadConfig } from "./config.js";
import { coerceEnvValue, envNameOf, upperSnake } from "./env-names.js";

const Schema = Type.Object({
  nats: NatsConfig,
  http: HttpConfig,
  natsUrl: Type.Optional(Type.String()),
  intervalSeconds: Type.Integer({ minimum: 1, default: 30 }),
  ratio: Type.Number({ default: 0.5 }),
  dryRun: Type.Boolean({ default: false }),
  mode: Type.Union([Type.Literal("sim"), Type.Literal("cluster")], { default: "sim" }),
  webhookSecret: Type.String({ minLength: 8 }),
  namespaces: Type.Array(Type.String(), { default: [] }),
  ports: Type.Array(Type.Integer(), { default: [] }),
});

describe("upperSnake and envNameOf", () => {
  it.each([
    ["natsUrl", "NATS_URL"],
    ["credsFile", "CREDS_FILE"],
    ["http2Port", "HTTP2_PORT"],
    ["caFile", "CA_FILE"],
    ["servers", "SERVERS"],
  ])("%s → %s", (key, env) => expect(upperSnake(key)).toBe(env));

  it("names nested properties and items", () => {
    expect(envNameOf("SISKIN_", ["nats", "tls", "caFile"])).toBe("SISKIN_NATS_TLS_CA_FILE");
    expect(envNameOf("SISKIN_", ["nats", "servers", "1"], Schema as never)).toBe("SISKIN_NATS_SERVERS (item 2)");
  });
});

describe("coerceEnvValue", () => {
  it.each([
    [{ type: "integer" }, "42", 42],
    [{ type: "integer" }, " -3 ", -3],
    [{ type: "number" }, "0.25", 0.25],
    [{ type: "boolean" }, "YES", true],
    [{ type: "boolean" }, "0", false],
    [{ type: "array", items: { type: "string" } }, "a, b,,c ", ["a", "b", "c"]],
    [{ type: "array", items: { type: "integer" } }, "1,2", [1, 2]],
    [{ type: "object" }, '{"a":"b"}', { a: "b" }],
    [{ anyOf: [{ type: "string", const: "x" }, { type: "integer" }] }, "7", 7],
    [{ type: "string" }, " keep spaces ", " keep spaces "],
  ])("%j %j → %j", (schema, raw, value) => expect(coerceEnvValue(schema, raw)).toEqual({ ok: true, value }));

  it.each([
    [{ type: "integer" }, "1.5", /expected an integer, got "1.5"/],
    [{ type: "number" }, "abc", /expected a number/],
    [{ type: "boolean" }, "maybe", /expected true or false/],
    [{ type: "array", items: { type: "integer" } }, "1,x", /item 2 of the comma-separated list: expected an integer/],
    [{ type: "object" }, "{", /expected a JSON object/],
  ])("%j %j fails", (schema, raw, problem) => {
    const r = coerceEnvValue(schema, raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe("loadConfig", () => {
  it("maps UPPER_SNAKE variables to camelCase properties, converts, applies defaults, and freezes", () => {
    const cfg = loadConfig(Schema, {
      SISKIN_NATS_URL: "nats://x:4222",
      SISKIN_NATS_SERVERS: "nats://a:4222,nats://b:4222",
      SISKIN_NATS_TLS_CA_FILE: "/etc/ca.pem",
      SISKIN_HTTP_PORT: "9090",
      SISKIN_DRY_RUN: "true",
      SISKIN_MODE: "cluster",
      SISKIN_WEBHOOK_SECRET: "s3cr3t-value",
      SISKIN_PORTS: "1,2",
      SISKIN_RATIO: "",
      OTHER_VAR: "ignored",
    });
    expect(cfg).toEqual({
      nats: { servers: ["nats://a:4222", "nats://b:4222"], tls: { caFile: "/etc/ca.pem" } },
      http: { host: "127.0.0.1", port: 9090 },
      natsUrl: "nats://x:4222",
      intervalSeconds: 30,
      ratio: 0.5,
      dryRun: true,
      mode: "cluster",
      webhookSecret: "s3cr3t-value",
      namespaces: [],
      ports: [1, 2],
    });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.nats.servers)).toBe(true);
    expect(Object.isFrozen(cfg.nats.tls)).toBe(true);
    expect(() => {
      (cfg.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("lists every problem, naming each variable, in one SISKIN_ERR_INVALID_CONFIG", () => {
    let err: unknown;
    try {
      loadConfig(Schema, {
        SISKIN_INTERVAL_SECONDS: "soon",
        SISKIN_HTTP_PORT: "70000",
        SISKIN_DRY_RUN: "perhaps",
        SISKIN_MODE: "prod",
        SISKIN_PORTS: "1,x",
        SISKIN_NATS_SERVERS: ",",
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SiskinError);
    const e = err as SiskinError;
    expect(e.code).toBe("SISKIN_ERR_INVALID_CONFIG");
    expect(e.message).toContain("(7 problems)");
    for (const line of [
      '  - SISKIN_INTERVAL_SECONDS: expected an integer, got "soon"',
      '  - SISKIN_DRY_RUN: expected true or false (also 1/0, yes/no, on/off), got "perhaps"',
      "  - SISKIN_PORTS: item 2 of the comma-separated list: expected an integer",
      "  - SISKIN_HTTP_PORT: must be <= 65535",
      "  - SISKIN_MODE: must be one of sim, cluster",
      "  - SISKIN_WEBHOOK_SECRET: is required and has no default",
      "  - SISKIN_NATS_SERVERS: must not have fewer than 1 items",
    ]) {
      expect(e.message).toContain(line);
    }
  });

  it("honours another prefix and stays pure (reads only the env it is given)", () => {
    const S = Type.Object({ natsUrl: Type.String() });
    expect(loadConfig(S, { APP_NATS_URL: "u" }, { prefix: "APP_" })).toEqual({ natsUrl: "u" });
    expect(() => loadConfig(S, { SISKIN_NATS_URL: undefined })).toThrow(/SISKIN_NATS_URL: is required/);
  });

  it("refuses a schema that is not an object", () => {
    expect(() => loadConfig(Type.String(), {})).toThrow(/must be a Type.Object/);
  });
});
