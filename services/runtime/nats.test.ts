import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectNats, natsConnectOptions } from "./nats.js";

describe("natsConnectOptions", () => {
  it("reconnects forever and names the connection", () => {
    expect(natsConnectOptions({ servers: ["nats://a:4222", "nats://b:4222"] }, "traffic-router")).toMatchObject({
      servers: ["nats://a:4222", "nats://b:4222"],
      name: "traffic-router",
      maxReconnectAttempts: -1,
    });
  });

  it("passes user/pass, token and TLS files", () => {
    const o = natsConnectOptions(
      { servers: ["tls://x:4222"], user: "u", pass: "p", token: "t", tls: { caFile: "/ca", certFile: "/c", keyFile: "/k" }, name: "n" },
      "svc",
    );
    expect(o).toMatchObject({ user: "u", pass: "p", token: "t", name: "n", tls: { caFile: "/ca", certFile: "/c", keyFile: "/k" } });
  });

  it("gives each user its own reply-inbox prefix (finding 6), unless one is configured", () => {
    expect(natsConnectOptions({ servers: ["nats://x"], user: "k8s-watcher", pass: "p" }, "svc").inboxPrefix).toBe("_INBOX_k8s-watcher");
    expect(natsConnectOptions({ servers: ["nats://x"], user: "a.b*", pass: "p" }, "svc").inboxPrefix).toBe("_INBOX_a_b_");
    expect(natsConnectOptions({ servers: ["nats://x"], credsFile: "/c", inboxPrefix: "_INBOX_tenant1" }, "svc").inboxPrefix).toBe("_INBOX_tenant1");
    expect(natsConnectOptions({ servers: ["nats://x"] }, "svc").inboxPrefix).toBeUndefined();
  });

  it("refuses a user without a password", () => {
    expect(() => natsConnectOptions({ servers: ["nats://x"], user: "u" }, "svc")).toThrow(/SISKIN_NATS_USER and SISKIN_NATS_PASS/);
  });

  it("uses a creds-file authenticator", () => {
    const dir = mkdtempSync(join(tmpdir(), "siskin-creds-"));
    try {
      const file = join(dir, "x.creds");
      writeFileSync(file, "not really creds");
      const o = natsConnectOptions({ servers: ["nats://x"], credsFile: file }, "svc");
      expect(typeof o.authenticator).toBe("function");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("connectNats names the servers when none answers", async () => {
    await expect(connectNats({ servers: ["nats://127.0.0.1:1"] }, "svc")).rejects.toThrow(/svc: cannot connect to NATS at nats:\/\/127.0.0.1:1/);
  });
});
