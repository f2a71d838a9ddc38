// Issue 14, finding 6: TLS for NATS as infra/nats/tls.conf documents it, on a real nats-server with a
// throwaway CA: a worker connects with the runtime's TLS settings (mutual TLS); a plaintext client and
// a client without a certificate are refused.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../services/runtime/index.js";
import { startNats, type NatsServer } from "../harness/index.js";

const dir = mkdtempSync(join(tmpdir(), "nats-tls-"));
const f = (name: string) => join(dir, name);
let server: NatsServer;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

beforeAll(async () => {
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=siskin-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
  for (const [name, san] of [["tls", "IP:127.0.0.1,DNS:localhost"], ["client", "DNS:orchestrator"]] as const) {
    writeFileSync(f(`${name}.ext`), `subjectAltName=${san}\n`);
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`);
  }
  const block = readFileSync(join(import.meta.dirname, "../../infra/nats/tls.conf"), "utf8").replaceAll("/etc/nats-tls/", `${dir}/`);
  server = await startNats({ extraConfig: block });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("NATS over TLS (infra/nats/tls.conf)", () => {
  const tlsUrl = () => server.url.replace("nats://", "tls://");

  it("a worker connects with SISKIN_NATS_TLS_* (CA, client certificate and key) and round-trips a request", async () => {
    const nc = await connectNats({ servers: [tlsUrl()], tls: { caFile: f("ca.crt"), certFile: f("client.crt"), keyFile: f("client.key") } }, "tls-test");
    try {
      const sub = nc.subscribe("echo", { callback: (_e, m) => void m.respond(m.data) });
      const reply = await nc.request("echo", "over tls", { timeout: 2_000 });
      expect(reply.string()).toBe("over tls");
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
  });

  it("refuses a plaintext client and a TLS client without a certificate", async () => {
    await expect(connect({ servers: server.url, timeout: 2_000, maxReconnectAttempts: 0 })).rejects.toThrow();
    await expect(connect({ servers: tlsUrl(), tls: { caFile: f("ca.crt") }, timeout: 2_000, maxReconnectAttempts: 0 })).rejects.toThrow();
  });
});
