// HTTP front of the simulator: routes Kubernetes API paths to discovery, OpenAPI and the API layer, and
// streams watches (NDJSON, headers flushed at once, optional bookmarks, Table rows when kubectl asks).
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import YAML from "yaml";
import * as st from "./status.js";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from "./discovery.js";
import { openapiV3Document, openapiV3Root, parseOpenapiV3Path } from "./openapi.js";
import { PatchType } from "./api.js";
import { startWatch } from "./watch.js";
import { toTable } from "./table.js";
import { decodeProtobufObject, ProtobufError } from "./protobuf.js";
import { groupVersion } from "./registry.js";
import type { Api, DeleteOptions, Target, WriteOptions } from "./api.js";
import type { KubeObject, WatchEvent } from "./types.js";
import { parseFaultSettings, type ApiFaults } from "./faults.js";

/** Open watches, so the simulator can send bookmarks or drop every watch at once. */
export interface WatchHub {
  /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks. */
  bookmarkAll(): void;
  /** Ends every open watch stream (clients reconnect from their last resourceVersion). */
  closeAll(): void;
  /** Number of open watches. */
  size(): number;
}

/** The HTTP handler plus its watch hub. */
export interface SimHttp {
  server: Server;
  watches: WatchHub;
}

interface OpenWatch {
  res: ServerResponse;
  bookmark(): void;
  close(): void;
}

const json = (res: ServerResponse, code: number, body: unknown, warnings: readonly string[] = []): void => {
  const data = JSON.stringify(body);
  const headers: Record<string, string | number | string[]> = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) };
  // As the API server sends them: `299 - "<text>"`, one header per warning, which kubectl prints as `Warning: <text>`.
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(data);
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (contentType.includes("vnd.kubernetes.protobuf") && raw.length > 0) {
    try {
      return decodeProtobufObject(raw);
    } catch (err) {
      if (err instanceof ProtobufError) {
        throw new st.ApiError({ ...st.unsupportedMediaType(["application/json", "application/yaml"]).status, message: err.message });
      }
      throw err;
    }
  }
  const text = raw.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return contentType.includes("yaml") ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw st.badRequest(`error decoding ${contentType.includes("yaml") ? "YAML" : "JSON"}: ${(err as Error).message}`);
  }
}

/** Splits a resource path (after /api/v1 or /apis/g/v) into a target; undefined when nothing is served there. */
function parseTarget(api: Api, group: string, version: string, segs: string[]): { target: Target; watchPath: boolean; collection: boolean } | undefined {
  let rest = segs;
  const watchPath = rest[0] === "watch";
  if (watchPath) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && api.registry.find(group, version, rest[2] ?? "")?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub, ...extra] = rest;
  const type = plural === undefined ? undefined : api.registry.find(group, version, plural);
  if (!type || extra.length > 0) return undefined;
  if (sub !== undefined && sub !== "status") return undefined;
  if (!type.namespaced && namespace !== undefined) return undefined;
  if (type.namespaced && namespace === undefined && name !== undefined) return undefined;
  const target: Target = { type, version };
  if (namespace !== undefined) target.namespace = namespace;
  if (name !== undefined) target.name = name;
  if (sub === "status") target.subresource = "status";
  return { target, watchPath, collection: name === undefined };
}

/** Options of {@link createSimHttp}. */
export interface SimHttpOptions {
  /** Receives one line per request. */
  log?: (line: string) => void;
  /** Faults injected on resource requests, and served at `/_sim/faults`. */
  faults?: ApiFaults;
  /** `POST /_sim/faults/expire`: forget watch history and end every watch (clients then get 410 Gone). */
  expireHistory?: () => void;
}

/** Creates the HTTP server (not listening yet). */
export function createSimHttp(api: Api, opts: SimHttpOptions = {}): SimHttp {
  const open = new Set<OpenWatch>();
  const cutWatches = (): number => {
    const n = open.size;
    for (const w of [...open]) w.close();
    return n;
  };

  const serveWatch = (req: IncomingMessage, res: ServerResponse, target: Target, q: URLSearchParams, asTable: boolean): void => {
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    const write = (ev: WatchEvent): void => {
      let object = ev.object;
      if (asTable && (ev.type === "ADDED" || ev.type === "MODIFIED" || ev.type === "DELETED")) {
        object = toTable(target.type, target.version, [ev.object as KubeObject], api.clock(), { includeObject: q.get("includeObject") ?? undefined }) as unknown as Record<string, unknown>;
      }
      res.write(`${JSON.stringify({ type: ev.type, object })}\n`);
    };
    const watchOpts: Parameters<typeof startWatch>[2] = {};
    for (const k of ["resourceVersion", "labelSelector", "fieldSelector"] as const) {
      const v = q.get(k);
      if (v !== null) watchOpts[k] = v;
    }
    const handle = startWatch(api, target, watchOpts, write);
    if (handle.ended) {
      res.end();
      return;
    }
    const allowBookmarks = q.get("allowWatchBookmarks") === "true";
    let timer: NodeJS.Timeout | undefined;
    const entry: OpenWatch = {
      res,
      bookmark() {
        if (!allowBookmarks) return;
        const object = { kind: target.type.kind, apiVersion: groupVersion(target.type.group, target.version), metadata: { resourceVersion: String(api.store.currentRv()) } };
        res.write(`${JSON.stringify({ type: "BOOKMARK", object })}\n`);
      },
      close() {
        handle.stop();
        if (timer) clearTimeout(timer);
        open.delete(entry);
        if (!res.writableEnded) res.end();
      },
    };
    open.add(entry);
    const timeout = Number(q.get("timeoutSeconds") ?? "0");
    if (timeout > 0) timer = setTimeout(() => entry.close(), timeout * 1000);
    req.on("close", () => entry.close());
  };

  const handleResource = async (req: IncomingMessage, res: ServerResponse, url: URL, group: string, version: string, segs: string[]): Promise<void> => {
    const parsed = parseTarget(api, group, version, segs);
    if (!parsed) throw st.pathNotFound();
    const { target, watchPath, collection } = parsed;
    const q = url.searchParams;
    const method = req.method ?? "GET";
    if (opts.faults !== undefined) {
      const fault = opts.faults.decide({ method, write: method !== "GET", resource: `${target.type.plural}${target.type.group === "" ? "" : `.${target.type.group}`}` });
      if (fault.kind === "error") throw fault.error;
      if (fault.kind === "slow") await new Promise((r) => setTimeout(r, fault.ms));
    }
    const accept = req.headers.accept ?? "";
    const asTable = accept.includes("as=Table");
    const contentType = String(req.headers["content-type"] ?? "application/json");
    const fv = q.get("fieldValidation");
    const warnings: string[] = [];
    const write: WriteOptions = { dryRun: q.get("dryRun") === "All", warnings };
    if (q.has("fieldManager")) write.fieldManager = q.get("fieldManager") ?? "";
    if (fv === "Ignore" || fv === "Warn" || fv === "Strict") write.fieldValidation = fv;
    else if (fv !== null && fv !== "") throw st.badRequest(`fieldValidation must be one of Ignore, Warn or Strict, got ${fv}`);
    const listOpts = {
      labelSelector: q.get("labelSelector") ?? undefined,
      fieldSelector: q.get("fieldSelector") ?? undefined,
      limit: q.has("limit") ? Number(q.get("limit")) : undefined,
      continue: q.get("continue") ?? undefined,
    };
    if (method === "GET" && (watchPath || q.get("watch") === "true" || q.get("watch") === "1")) {
      if (!collection) {
        // Legacy /watch/.../name: a watch of one object by name.
        const { name, ...rest } = target;
        const fs = `metadata.name=${name ?? ""}`;
        q.set("fieldSelector", q.get("fieldSelector") ? `${q.get("fieldSelector") ?? ""},${fs}` : fs);
        serveWatch(req, res, rest, q, asTable);
        return;
      }
      serveWatch(req, res, target, q, asTable);
      return;
    }
    if (collection) {
      if (method === "GET") {
        const list = api.list(target, listOpts);
        if (!asTable) return json(res, 200, list);
        return json(res, 200, toTable(target.type, target.version, list.items, api.clock(), { includeObject: q.get("includeObject") ?? undefined, listMeta: list.metadata }));
      }
      if (method === "POST") return json(res, write.dryRun ? 200 : 201, api.create(target, parseBody(await readBody(req), contentType), write), warnings);
      if (method === "DELETE") {
        const body = parseBody(await readBody(req), contentType) as DeleteOptions | undefined;
        return json(res, 200, api.deleteCollection(target, listOpts, deleteOptions(body, q)));
      }
      throw st.methodNotSupported({ group, resource: target.type.plural }, method.toLowerCase());
    }
    if (method === "GET") {
      const obj = api.get(target);
      if (!asTable) return json(res, 200, obj);
      return json(res, 200, toTable(target.type, target.version, [obj], api.clock(), { includeObject: q.get("includeObject") ?? undefined }));
    }
    if (method === "PUT") return json(res, 200, api.update(target, parseBody(await readBody(req), contentType), write), warnings);
    if (method === "PATCH") {
      const ct = contentType.split(";")[0]?.trim() ?? "";
      const known = Object.values(PatchType) as string[];
      if (!known.includes(ct)) throw st.unsupportedMediaType(target.type.builtin && target.type.group === "" ? known : known.filter((k) => k !== PatchType.strategic));
      const existed = api.store.get(`${target.type.plural}.${target.type.group}`, target.namespace ?? "", target.name ?? "") !== undefined;
      const result = api.patch(target, ct as PatchType, parseBody(await readBody(req), ct), write);
      return json(res, existed ? 200 : 201, result, warnings);
    }
    if (method === "DELETE") {
      const body = parseBody(await readBody(req), contentType) as DeleteOptions | undefined;
      return json(res, 200, api.delete(target, deleteOptions(body, q)));
    }
    throw st.methodNotSupported({ group, resource: target.type.plural }, method.toLowerCase());
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sim");
    const segs = url.pathname.split("/").filter((s) => s !== "");
    const host = req.headers.host ?? "127.0.0.1";
    const [a, b, c, d] = segs;
    if (a === "_sim" && b === "faults" && opts.faults !== undefined) return serveFaults(req, res, c, opts.faults);
    if (url.pathname === "/version" || url.pathname === "/version/") return json(res, 200, serverVersion);
    if (a === "healthz" || a === "readyz" || a === "livez") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return;
    }
    if (a === "openapi" && b === "v3") {
      if (c === undefined) return json(res, 200, openapiV3Root(api.registry));
      const gv = parseOpenapiV3Path(segs.slice(2).join("/"));
      const doc = gv && openapiV3Document(api.registry, gv.group, gv.version);
      if (!doc) throw st.pathNotFound();
      return json(res, 200, doc);
    }
    if (a === "openapi" && b === "v2") {
      // kubectl asks for protobuf here; an empty body is an empty, valid gnostic Document.
      res.writeHead(200, { "Content-Type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", "Content-Length": 0 });
      res.end();
      return;
    }
    if (a === "api") {
      if (b === undefined) return json(res, 200, apiVersions(host));
      if (b !== "v1") throw st.pathNotFound();
      if (c === undefined) return json(res, 200, apiResourceList(api.registry, "", "v1"));
      return handleResource(req, res, url, "", "v1", segs.slice(2));
    }
    if (a === "apis") {
      if (b === undefined) return json(res, 200, apiGroupList(api.registry));
      if (c === undefined) {
        const g = apiGroup(api.registry, b);
        if (!g) throw st.pathNotFound();
        return json(res, 200, g);
      }
      if (d === undefined) {
        const list = apiResourceList(api.registry, b, c);
        if (!list) throw st.pathNotFound();
        return json(res, 200, list);
      }
      return handleResource(req, res, url, b, c, segs.slice(3));
    }
    throw st.pathNotFound();
  };

  /** `GET|PUT /_sim/faults` (settings and counts), `POST /_sim/faults/cut-watches`, `POST /_sim/faults/expire`. */
  const serveFaults = async (req: IncomingMessage, res: ServerResponse, action: string | undefined, faults: ApiFaults): Promise<void> => {
    const method = req.method ?? "GET";
    if (action === undefined && method === "PUT") faults.set(parseFaultSettings(parseBody(await readBody(req), "application/json")));
    else if (action === "cut-watches" && method === "POST") faults.countWatchCut(cutWatches());
    else if (action === "expire" && method === "POST" && opts.expireHistory !== undefined) {
      opts.expireHistory();
      faults.countGone();
    } else if (!(action === undefined && method === "GET")) throw st.pathNotFound();
    return json(res, 200, { settings: faults.settings(), counts: faults.counts() });
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on("finish", () => opts.log?.(`${req.method ?? "?"} ${req.url ?? ""} ${res.statusCode} ${Date.now() - started}ms accept=${req.headers.accept ?? ""} ct=${req.headers["content-type"] ?? ""}`));
    route(req, res).catch((err: unknown) => {
      const e = err instanceof st.ApiError ? err : st.internalError(err);
      if (res.headersSent) {
        res.end();
        return;
      }
      json(res, e.code, e.status);
    });
  });

  return {
    server,
    watches: {
      bookmarkAll: () => {
        for (const w of open) w.bookmark();
      },
      closeAll: () => {
        cutWatches();
      },
      size: () => open.size,
    },
  };
}

function deleteOptions(body: DeleteOptions | undefined, q: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = { ...(body ?? {}) };
  const policy = q.get("propagationPolicy");
  if (policy === "Orphan" || policy === "Background" || policy === "Foreground") opts.propagationPolicy = policy;
  const bodyDryRun: unknown = (body as { dryRun?: unknown } | undefined)?.dryRun;
  if (q.get("dryRun") === "All" || (Array.isArray(bodyDryRun) && bodyDryRun.includes("All"))) opts.dryRun = true;
  else delete opts.dryRun;
  return opts;
}
