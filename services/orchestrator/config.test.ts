import { describe, expect, it } from "vitest";
import { load } from "./config.js";

describe("orchestrator config", () => {
  it("has defaults for everything", () => {
    expect(load({})).toMatchObject({ tickMs: 1000, maxAttempts: 5, provision: true, replicas: 1, logLevel: "info", nats: { servers: ["nats://127.0.0.1:4222"] }, http: { port: 8080 } });
  });

  it("reads SISKIN_* variables and lists every problem", () => {
    expect(load({ SISKIN_TICK_MS: "250", SISKIN_PROVISION: "false", SISKIN_NATS_SERVERS: "nats://a:4222,nats://b:4222" })).toMatchObject({
      tickMs: 250,
      provision: false,
      nats: { servers: ["nats://a:4222", "nats://b:4222"] },
    });
    expect(() => load({ SISKIN_TICK_MS: "5", SISKIN_MAX_ATTEMPTS: "0" })).toThrow(/SISKIN_TICK_MS[\s\S]*SISKIN_MAX_ATTEMPTS|SISKIN_MAX_ATTEMPTS[\s\S]*SISKIN_TICK_MS/);
  });
});
