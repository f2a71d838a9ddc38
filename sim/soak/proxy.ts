/**
 * A small HTTP front on loopback, as a Kubernetes Service is for its pods: spreads requests over the
 * live backends (round robin, the next one when a backend refuses the connection), and can be set
 * "down" for an outage window (every request answered 503). Used for the two alert-ingest replicas
 * behind Alertmanager's webhook, and for Prometheus's outage in front of the analyzers.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A running front. */
export interface HttpFront {
  url: string;
  port: number;
  /** While down, every request gets 503. */
  setDown(down: boolean): void;
  /** Requests answered 503 because the front was down or no backend answered. */
  refused(): number;
  close(): Promise<void>;
}

/** Start on `port` (0: a free one) in front of `backends()` (base URLs, asked at every request). */
export async function startHttpFront(port: number, backends: () => readonly string[]): Promise<HttpFront> {
  let down = false;
  let refused = 0;
  let rr = 0;
  const forward = (base: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const u = new URL(req.url ?? "/", base);
      const out = request(u, { method: req.method, headers: { ...req.headers, host: u.host }, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      out.on("error", reject);
      out.on("timeout", () => out.destroy(new Error("backend timeout")));
      out.end(body);
    });
  const fail = (res: ServerResponse, why: string) => {
    refused++;
    res.writeHead(503, { "content-type": "text/plain" });
    res.end(why);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        if (down) return fail(res, "outage (soak)");
        const list = backends();
        for (let i = 0; i < list.length; i++) {
          const base = list[(rr + i) % list.length] as string;
          try {
            const r = await forward(base, req, Buffer.concat(chunks));
            rr = (rr + i + 1) % Math.max(1, list.length);
            const headers = { ...r.headers };
            delete headers["transfer-encoding"];
            headers["content-length"] = String(r.body.length);
            res.writeHead(r.status, headers);
            res.end(r.body);
            return;
          } catch {
            /* the next backend */
          }
        }
        fail(res, "no backend answered");
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const p = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${p}`,
    port: p,
    setDown: (d) => {
      down = d;
    },
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
