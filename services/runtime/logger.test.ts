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

  it("respects the level", () => {
    const { destination, lines } = capture();
    const log = createLogger({ service: "s", destination, level: "warn" });
    log.info("hidden");
    log.warn("shown");
    expect(lines().map((l) => l.msg)).toEqual(["shown"]);
  });
});
