// The mesh's HTTP front: /metrics for Prometheus, POST /request and a forward-proxy form for people
// (`curl -x http://127.0.0.1:9464 http://reviews.default/`), /snapshot and /healthz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Mesh, Outcome, TrafficTarget } from "./mesh.js";
import { targetRequest } from "./mesh.js";

/** Options of {@link createFront}. */
export interface FrontOptions {
  mesh: Mesh;
  /** Called before every /metrics answer (e.g. to generate the traffic of one scrape tick). */
  beforeScrape: () => void;
}

const MaxBody = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MaxBody) {
        reject(new Error(`request body larger than ${MaxBody} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function outcomeHeaders(o: Outcome): Record<string, string> {
  const h: Record<string, string> = { "x-sim-response-flags": o.flag, "x-sim-latency-ms": o.latencyMs.toFixed(3) };
  if (o.version !== undefined) h["x-sim-version"] = o.version;
  if (o.workload !== undefined) h["x-sim-workload"] = o.workload;
  return h;
}

function plainHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === "host" || k === "proxy-connection" || k === "content-length") continue;
    out[k] = Array.isArray(v) ? v.join(",") : v;
  }
  return out;
}

async function handle(opts: FrontOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  // Forward-proxy form: the request line carries an absolute URL naming the mesh host.
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    const o = opts.mesh.request({
      host: u.host, sourceNamespace: "default", method: req.method ?? "GET", path: `${u.pathname}${u.search}`, headers: plainHeaders(req),
    });
    return json(res, o.code, o, outcomeHeaders(o));
  }
  const path = url.split("?")[0];
  if (req.method === "GET" && path === "/metrics") {
    opts.beforeScrape();
    const text = await opts.mesh.telemetry.registry.metrics();
    res.writeHead(200, { "content-type": opts.mesh.telemetry.registry.contentType });
    res.end(text);
    return;
  }
  if (req.method === "GET" && path === "/healthz") return json(res, 200, { ok: true });
  if (req.method === "GET" && path === "/snapshot") return json(res, 200, opts.mesh.snapshot());
  if (req.method === "POST" && path === "/request") {
    let body: TrafficTarget & { count?: number };
    try {
      body = JSON.parse((await readBody(req)) || "{}") as TrafficTarget & { count?: number };
      targetRequest(body);
    } catch (err) {
      return json(res, 400, { error: `POST /request: ${(err as Error).message}; send {"service","namespace"} or {"host"}, optional headers, path, count` });
    }
    const count = body.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 100_000) {
      return json(res, 400, { error: `POST /request: count must be an integer 1..100000, got ${String(body.count)}` });
    }
    if (count > 1) return json(res, 200, opts.mesh.generate({ ...body, count }));
    const o = opts.mesh.request(targetRequest(body));
    return json(res, 200, o, outcomeHeaders(o));
  }
  return json(res, 404, { error: `no ${req.method} ${path} here; try GET /metrics, GET /snapshot, POST /request, or use me as an HTTP proxy` });
}

/** Creates (without listening) the front server. */
export function createFront(opts: FrontOptions): Server {
  return createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: `sim-mesh: ${(err as Error).message}` });
      else res.destroy();
    });
  });
}
