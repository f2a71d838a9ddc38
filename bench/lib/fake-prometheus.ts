/**
 * A stand-in for Prometheus' instant-query API that answers every query with one series per
 * (namespace, service, version) it was given, as the analyzer's grouped queries would return them.
 * The bodies are built once, so its own cost stays out of the analyzer's figures; it counts queries.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A series the fake returns: Istio's destination labels. */
export interface FakeSeries {
  namespace: string;
  service: string;
  version: string;
}

/** A running fake. */
export interface FakePrometheus {
  url: string;
  /** Queries answered so far. */
  queries(): number;
  /** Bytes of the query texts received so far. */
  queryBytes(): number;
  close(): Promise<void>;
}

function body(series: readonly FakeSeries[], value: string, timeSec: number): string {
  const result = series.map((s) => ({
    metric: { destination_workload_namespace: s.namespace, destination_canonical_service: s.service, destination_version: s.version },
    value: [timeSec, value],
  }));
  return JSON.stringify({ status: "success", data: { resultType: "vector", result } });
}

/** What a built-in query computes, from its text (values chosen so the judge passes). */
function valueFor(promql: string): string {
  if (promql.startsWith("histogram_quantile")) return "120";
  if (promql.trimEnd().endsWith("* 100")) return "0.1";
  if (promql.includes("increase(") && promql.includes('5..')) return "1";
  if (promql.includes("increase(")) return "1000";
  return "10";
}

/** Serve `series` on 127.0.0.1 (a free port). */
export async function startFakePrometheus(series: readonly FakeSeries[]): Promise<FakePrometheus> {
  const cache = new Map<string, string>();
  let count = 0;
  let bytes = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const form = new URLSearchParams(req.method === "POST" ? raw : url.search);
      const query = form.get("query") ?? "";
      const time = Math.floor(Number(form.get("time") ?? Date.now() / 1000));
      count++;
      bytes += query.length;
      const value = valueFor(query);
      const key = `${value}@${time}`;
      let text = cache.get(key);
      if (text === undefined) {
        text = body(series, value, time);
        cache.set(key, text);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    queries: () => count,
    queryBytes: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
