import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LogField, createLogger } from "./logger.js";

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString("utf8"));
      cb();
    },
  });
  return { destination, lines: () => chunks.join("").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("puts the service on every line and uses the constant field keys in children", () => {
    const { destination, lines } = capture();
    const log = createLogger({ service: "traffic-router", destination });
    log.child({ [LogField.releaseId]: "shop/cart/v2", [LogField.subject]: "cmd.traffic.set_weights" }).info("applied");
    expect(lines()[0]).toMatchObject({ service: "traffic-router", releaseId: "shop/cart/v2", subject: "cmd.traffic.set_weights", msg: "applied" });
    expect(LogField).toEqual({ service: "service", releaseId: "releaseId", subject: "subject", consumer: "consumer" });
  });

  it("redacts secrets at the top level and nested, and authorization headers", () => {
    const { destination, lines } = capture();
    const log = createLogger({ service: "s", destination, level: "debug" });
    log.debug(
      {
        token: "t0p",
        password: "pw",
        secret: "sh",
        signature: "sig",
        nats: { token: "nested-token", pass: "nested-pass", servers: ["nats://x"] },
        req: { headers: { authorization: "Bearer abc", "x-slack-signature": "v0=1", host: "h" } },
        slack: { client: { token: "xoxb-deep" } },
      },
      "with secrets",
    );
    const text = JSON.stringify(lines());
    for (const secret of ["t0p", '"pw"', '"sh"', '"sig"', "nested-token", "nested-pass", "Bearer abc", "v0=1", "xoxb-deep"]) {
      expect(text).not.toContain(secret);
    }
    const line = lines()[0] as { nats: { servers: string[]; token: string }; req: { headers: { host: string } } };
    expect(line.nats.servers).toEqual(["nats://x"]);
    expect(line.nats.token).toBe("[redacted]");
    expect(line.req.headers.host).toBe("h");
  });

  // Finding 9: secret-bearing config keys and passwords in URLs at any depth, in the call's object,
  // in child bindings and in the message.
  it("redacts botToken, signingSecret, webhookSecret and URL passwords at any depth", () => {
    const { destination, lines } = capture();
    const log = createLogger({ service: "s", destination, level: "debug" });
    const cfg = {
      slack: { botToken: "xoxb-1", signingSecret: "sig-2" },
      github: { webhookSecret: "wh-3" },
      api: { people: { abc: { user: "U1" } }, token: "api-4" },
      deep: { a: { b: { c: { d: { e: { f: { SISKIN_API_TOKEN: "env-5", client_secret: "cs-6", PrivateKey: "pk-7" } } } } } } },
      urls: ["nats://worker:np-8@nats:4222", { prometheus: "https://reader:pp-9@prom.example:9090/api" }],
      list: [[[{ apiKey: "ak-10" }]]],
    };
    log.child({ settings: { kube: { bearerToken: "bt-11" } } }).info({ cfg }, "config loaded from https://admin:mp-12@host/x");
    const text = JSON.stringify(lines());
    for (const secret of ["xoxb-1", "sig-2", "wh-3", "api-4", "env-5", "cs-6", "pk-7", "np-8", "pp-9", "ak-10", "bt-11", "mp-12"]) expect(text).not.toContain(secret);
    const line = lines()[0] as Record<string, any>;
    expect(line.cfg.urls[0]).toBe("nats://worker:[redacted]@nats:4222");
    expect(line.cfg.api.people.abc.user).toBe("U1");
    expect(line.msg).toBe("config loaded from https://admin:[redacted]@host/x");
    log.child({ releaseId: "r1" }).child({ s: { signingSecret: "gc-13" } }).warn("grandchild");
    const gc = lines()[1] as Record<string, any>;
    expect(gc).toMatchObject({ releaseId: "r1", s: { signingSecret: "[redacted]" }, msg: "grandchild" });
  });

  it("respects the level", () => {
    const { destination, lines } = capture();
    const log = createLogger({ service: "s", destination, level: "warn" });
    log.info("hidden");
    log.warn("shown");
    expect(lines().map((l) => l.msg)).toEqual(["shown"]);
  });
});
