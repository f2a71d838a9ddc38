import { describe, expect, it } from "vitest";
import { buildApp } from "./http.js";
import { load } from "./config.js";
import { createService } from "./service.js";

// Finding 4: alert-ingest never runs open by accident.
describe("alert-ingest authentication is required", () => {
  const nats = { SISKIN_NATS_SERVERS: "nats://127.0.0.1:4222" };

  it.each([["unset", {}], ["empty", { SISKIN_WEBHOOK_TOKEN: "" }]])("a %s token is a configuration error", (_name, env) => {
    expect(() => load({ ...nats, ...env })).toThrow(/SISKIN_WEBHOOK_TOKEN: is required.*SISKIN_INSECURE_NO_AUTH=true only in a simulation/s);
  });

  it("a token, or the explicit insecure switch, starts", () => {
    expect(load({ ...nats, SISKIN_WEBHOOK_TOKEN: "0123456789abcdef" }).webhook.token).toBe("0123456789abcdef");
    expect(load({ ...nats, SISKIN_INSECURE_NO_AUTH: "true" }).insecureNoAuth).toBe(true);
  });

  it("buildApp refuses to build an open webhook unless told so", () => {
    const service = createService({ index: { list: async () => [] }, publish: async () => ({ duplicate: false }) });
    expect(() => buildApp({ service })).toThrow(/SISKIN_WEBHOOK_TOKEN/);
    expect(() => buildApp({ service, insecureNoAuth: true })).not.toThrow();
  });
});
