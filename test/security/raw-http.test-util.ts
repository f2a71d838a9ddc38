/**
 * Raw HTTP/1.1 over a socket, so a test can send request targets a client library would normalise:
 * percent-encoded letters, absolute-form (`POST http://host/path`), dot segments, doubled slashes.
 */
import { connect } from "node:net";

/** The answer to one raw request. */
export interface RawResponse {
  status: number;
  body: string;
}

/** Send one request with `target` written verbatim in the request line. */
export function rawRequest(port: number, method: string, target: string, headers: Record<string, string>, body = ""): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    sock.on("data", (c: Buffer) => chunks.push(c));
    sock.on("error", reject);
    sock.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m === null) return reject(new Error(`no HTTP status line in ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(m[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    const lines = [`${method} ${target} HTTP/1.1`, "host: 127.0.0.1", "connection: close", `content-length: ${Buffer.byteLength(body)}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    sock.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  });
}

/**
 * Request targets that a router may resolve to `path` while a string comparison on the raw URL
 * would not: each letter percent-encoded (lower and upper hex), the whole path encoded,
 * absolute-form with several hosts, dot segments, doubled and trailing slashes, query and `;`.
 */
export function pathVariants(path: string): string[] {
  const out = new Set<string>();
  const enc = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (!/[A-Za-z0-9]/.test(c)) continue;
    out.add(path.slice(0, i) + enc(c) + path.slice(i + 1));
    out.add(path.slice(0, i) + enc(c).toUpperCase() + path.slice(i + 1));
  }
  out.add(path.replace(/[A-Za-z0-9]/g, enc));
  for (const host of ["127.0.0.1", "evil.example", "localhost:1"]) {
    out.add(`http://${host}${path}`);
    out.add(`https://${host}${path}`);
    out.add(`http://${host}${path.replace(/[a-z]/, enc)}`);
  }
  const segs = path.split("/");
  out.add(`/.${path}`);
  out.add(`/${segs[1]}/../${path.slice(1)}`);
  out.add(`/${path}`);
  out.add(path.replace(/\//g, "//"));
  out.add(`${path}/`);
  out.add(`${path}?x=1`);
  out.add(`${path};x=1`);
  out.add(`${path}#frag`);
  out.add(path.toUpperCase());
  out.add(`${path}%2f`);
  out.add(`${path}%00`);
  out.add(path.replace(/\//g, "%2f"));
  out.add(`/%2e${path}`);
  out.delete(path);
  return [...out];
}
