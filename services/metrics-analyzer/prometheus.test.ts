import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "./prometheus.js";
import { QueryError } from "./ports.js";

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/upstream/prometheus/${name}`, import.meta.url), "utf8");

// As flagger's tests do with httptest: canned Prometheus answers chosen by the query text.
const answers: Record<string, { status: number; body: string }> = {
  single: { status: 200, body: fixture("query-vector-single-value.json") },
  nan: { status: 200, body: fixture("query-vector-nan.json") },
  empty: { status: 200, body: fixture("query-vector-empty.json") },
  matrix: { status: 200, body: fixture("query-matrix-multiple-series.json") },
  grouped: {
    status: 200,
    body: JSON.stringify({
      status: "success",
      data: { resultType: "vector", result: [{ metric: { destination_version: "v2", __name__: "x" }, value: [1700000000, "12.5"] }] },
    }),
  },
  scalar: { status: 200, body: JSON.stringify({ status: "success", data: { resultType: "scalar", result: [1700000000, "7"] } }) },
  bad: { status: 400, body: JSON.stringify({ status: "error", errorType: "bad_data", error: 'parse error at char 3: unexpected "}"' }) },
};

let server: Server;
let url = "";
const seen: Array<{ method: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", body });
      const q = new URLSearchParams(body).get("query") ?? "";
      const a = answers[q] ?? answers.empty!;
      res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("createPrometheusMetrics", () => {
  const metrics = () => createPrometheusMetrics({ url, timeoutMs: 2000 });

  it("POSTs the query with the evaluation time in seconds", async () => {
    await metrics().query("single", 1_700_000_000_500);
    const last = seen.at(-1);
    expect(last?.method).toBe("POST");
    expect(new URLSearchParams(last?.body).get("time")).toBe("1700000000.5");
  });

  it.each([
    ["single", [{ labels: {}, value: 100 }]],
    ["empty", []],
    ["grouped", [{ labels: { destination_version: "v2" }, value: 12.5 }]],
    ["scalar", [{ labels: {}, value: 7 }]],
  ])("reads the %s answer", async (q, want) => {
    expect(await metrics().query(q, 1)).toEqual(want);
  });

  it("keeps NaN (0/0) as NaN for the fan-out to treat as no data", async () => {
    const [s] = await metrics().query("nan", 1);
    expect(Number.isNaN(s?.value)).toBe(true);
  });

  it("refuses a matrix result", async () => {
    await expect(metrics().query("matrix", 1)).rejects.toThrow(/returned a matrix/);
  });

  it("turns prometheus-query's plain-object error into a QueryError naming the cause", async () => {
    const err = await metrics().query("bad", 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({ errorType: "bad_data", httpStatus: 400 });
    expect((err as Error).message).toMatch(/HTTP 400\): bad_data: parse error at char 3/);
  });

  it("reports an unreachable Prometheus as a network error", async () => {
    const down = createPrometheusMetrics({ url: "http://127.0.0.1:1", timeoutMs: 500 });
    await expect(down.query("up", 1)).rejects.toMatchObject({ name: "QueryError", errorType: "network_error" });
  });
});
