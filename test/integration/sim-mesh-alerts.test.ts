// A canary scripted with 20 % 5xx fires SiskinCanaryHighErrorRate in a real Prometheus (Siskin's rules),
// a real Alertmanager (Siskin's route) delivers the version-4 webhook to a local listener, and patching
// the fault away resolves it (send_resolved).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotation, renderAlertmanagerConfig } from "../../sim/mesh/index.js";
import { ReceiverName } from "../../sim/mesh/pipeline.js";
import { startAlertmanager, waitFor, type AlertmanagerServer } from "../harness/index.js";
import { startWorld, type World } from "./sim-mesh-world.test-util.js";

interface Webhook {
  version: string;
  status: string;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string>; endsAt: string }>;
}

describe("sim-mesh → Prometheus rules → Alertmanager → webhook", () => {
  const received: Array<{ path: string; userAgent: string; body: Webhook }> = [];
  let listener: Server;
  let am: AlertmanagerServer;
  let world: World;

  beforeAll(async () => {
    listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", userAgent: String(req.headers["user-agent"]), body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Webhook });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", () => r()));
    const port = (listener.address() as AddressInfo).port;
    am = await startAlertmanager({ configYaml: renderAlertmanagerConfig({ webhookUrl: `http://127.0.0.1:${port}/webhooks/alertmanager` }) });
    world = await startWorld({
      weights: [90, 10],
      perScrape: 500,
      alertmanagerTarget: `127.0.0.1:${am.port}`,
      annotations: { "2": { [Annotation.errorRate]: "0.2", [Annotation.errorCodes]: "500,503" } },
    });
  });
  afterAll(async () => {
    await world?.close();
    await am?.stop();
    await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()));
  });

  const forVersion = (status: string) =>
    received.find((w) => w.body.status === status && w.body.alerts.some((a) => a.labels["alertname"] === "SiskinCanaryHighErrorRate" && a.labels["version"] === "2"));

  it("fires for version 2 only, with severity and release labels, as a version-4 webhook", async () => {
    const hook = await waitFor(() => forVersion("firing"), { timeoutMs: 30_000, intervalMs: 100, what: "a firing SiskinCanaryHighErrorRate webhook" });
    expect(hook.path).toBe("/webhooks/alertmanager");
    expect(hook.userAgent).toMatch(/^Alertmanager\//);
    expect(hook.body).toMatchObject({ version: "4", status: "firing", receiver: ReceiverName });
    expect(hook.body.groupLabels).toEqual({ alertname: "SiskinCanaryHighErrorRate", namespace: "default", service: "web", version: "2" });
    const alert = hook.body.alerts[0];
    expect(alert?.labels).toMatchObject({
      alertname: "SiskinCanaryHighErrorRate", severity: "critical", namespace: "default", service: "web", version: "2",
      destination_workload_namespace: "default", destination_canonical_service: "web", destination_version: "2",
    });
    expect(alert?.annotations["description"]).toMatch(/default\/web version 2 answers \d+(\.\d+)?% of requests with 5xx/);
    expect(alert?.endsAt).toBe("0001-01-01T00:00:00Z");
    expect(received.some((w) => w.body.alerts.some((a) => a.labels["version"] === "1"))).toBe(false);
  });

  it("resolves once the fault annotation is patched to 0 (send_resolved)", async () => {
    world.cluster.store.patch("vmi", "default", "web-v2", { metadata: { annotations: { [Annotation.errorRate]: "0" } } }, "merge");
    await waitFor(() => world.mesh.objects().vmis.find((v) => v.metadata.name === "web-v2")?.metadata.annotations?.[Annotation.errorRate] === "0", {
      timeoutMs: 2000, what: "the annotation patch to reach the mesh",
    });
    const hook = await waitFor(() => forVersion("resolved"), { timeoutMs: 40_000, intervalMs: 100, what: "a resolved SiskinCanaryHighErrorRate webhook" });
    expect(hook.body).toMatchObject({ version: "4", status: "resolved" });
    expect(hook.body.alerts.every((a) => a.status === "resolved")).toBe(true);
    expect(hook.body.alerts[0]?.endsAt).not.toBe("0001-01-01T00:00:00Z");
  });
});
