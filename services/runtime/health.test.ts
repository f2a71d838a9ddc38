import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { buildHealthApp, startHealthServer } from "./health.js";

describe("health app", () => {
  it("answers /healthz always, /readyz by the ready probe, /metrics from the registry", async () => {
    const registry = new Registry();
    new Counter({ name: "siskin_test_total", help: "t", registers: [registry] }).inc(3);
    let ready = false;
    const app = buildHealthApp({ ready: () => ready, registry });
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/readyz" })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: "/readyz" })).statusCode).toBe(200);
    const metrics = await app.inject({ url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.body).toContain("siskin_test_total 3");
    await app.close();
  });

  it("a throwing or async-false probe is not ready, and says why", async () => {
    const app = buildHealthApp({
      ready: async () => {
        throw new Error("nats disconnected");
      },
    });
    const res = await app.inject({ url: "/readyz" });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: "not ready", error: "nats disconnected" });
    await app.close();
  });

  it("listens on a free port of 127.0.0.1 and closes", async () => {
    const srv = await startHealthServer({ host: "127.0.0.1", port: 0, ready: () => true, registry: new Registry() });
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}`);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    await srv.close();
    await expect(fetch(`${srv.url}/healthz`)).rejects.toThrow();
  });
});
