// The world without real workers: servers, simulators and BookInfo come up on loopback; a recording
// startWorker sees every worker, in order, with env pointing at the world; traffic from the
// productpage-like client reaches Prometheus with Istio's labels; stop() frees every port.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, WorkerNames, waitFor, type World, type WorkerName } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "siskin-world-test-"));
const started: Array<{ name: WorkerName; env: Record<string, string> }> = [];
const stopped: WorkerName[] = [];
let world: World;

const refuses = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const u = new URL(url);
    const s = createConnection({ host: u.hostname, port: Number(u.port) });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });

async function query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${world.urls.prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.data.result;
}

beforeAll(async () => {
  world = await startWorld({
    dataDir: dir,
    intervals: { analysisSeconds: 7, rollbackWindowSeconds: 12 },
    startWorker: async (name, env) => {
      started.push({ name, env });
      return { stop: async () => void stopped.push(name) };
    },
  });
}, 60_000);

afterAll(async () => {
  await world?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("startWorld", () => {
  it("loads BookInfo: the stable ratings VM is Ready and the VMRollout carries the interval overrides", () => {
    const vmi = world.cluster.store.get("vmi", "bookinfo", "ratings-v1");
    expect(vmi?.metadata.labels).toMatchObject({ app: "ratings", version: "v1" });
    const ro = world.cluster.store.get("vmrollouts.siskin.dev", "bookinfo", "ratings") as unknown as { spec: { analysis: { intervalSeconds: number; failureLimit: number }; rollbackWindowSeconds: number } };
    expect(ro.spec.analysis).toMatchObject({ intervalSeconds: 7, failureLimit: 1 });
    expect(ro.spec.rollbackWindowSeconds).toBe(12);
    expect(readFileSync(world.kubeconfigPath, "utf8")).toContain(world.urls.cluster);
  });

  it("starts every worker in order with env pointing at the world", () => {
    expect(started.map((s) => s.name)).toEqual([...WorkerNames]);
    expect(world.workers).toEqual([...WorkerNames]);
    const env = (n: WorkerName) => started.find((s) => s.name === n)?.env ?? {};
    for (const s of started) expect(s.env["SISKIN_NATS_SERVERS"]).toBe(world.urls.nats);
    expect(env("metrics-analyzer")["SISKIN_PROMETHEUS_URL"]).toBe(world.urls.prometheus);
    expect(env("traffic-router")["SISKIN_KUBECONFIG"]).toBe(world.kubeconfigPath);
    expect(env("notifier")["SISKIN_SLACK_API_URL"]).toBe(world.urls.slackApi);
    expect(`http://127.0.0.1:${env("release-trigger")["SISKIN_LISTEN_PORT"]}`).toBe(world.urls.releaseTrigger);
    expect(env("approval-gateway")["SISKIN_SLACK_SIGNING_SECRET"]).toBe(world.secrets.slackSigning);
    expect(env("orchestrator")["SISKIN_TICK_MS"]).toBe(String(world.intervals.orchestratorTickMs));
    const am = readFileSync(join(dir, "world", "alertmanager", "alertmanager.yml"), "utf8");
    expect(am).toContain(world.urls.alertmanagerWebhook);
  });

  it("the productpage-like client's requests reach Prometheus with Istio's labels", async () => {
    expect(world.loadClients).toEqual([expect.objectContaining({ namespace: "bookinfo", service: "ratings", rps: 100 })]);
    const series = await waitFor(
      async () => {
        const r = await query('istio_requests_total{reporter="destination",destination_canonical_service="ratings"}');
        return r.length > 0 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "ratings series in Prometheus" },
    );
    expect(series[0]?.metric).toMatchObject({
      source_workload: "productpage-v1",
      source_canonical_service: "productpage",
      source_principal: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
      destination_workload: "ratings-v1",
      destination_workload_namespace: "bookinfo",
      destination_version: "v1",
      response_code: "200",
    });
  });

  it("the Siskin rules are loaded and Alertmanager is Prometheus's alertmanager", async () => {
    const rules = (await (await fetch(`${world.urls.prometheus}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string }> }> } };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toContain("SiskinCanaryHighErrorRate");
    const ams = await waitFor(
      async () => {
        const b = (await (await fetch(`${world.urls.prometheus}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: Array<{ url: string }> } };
        return b.data.activeAlertmanagers.length > 0 ? b.data.activeAlertmanagers : undefined;
      },
      { timeoutMs: 10_000, what: "Prometheus to discover Alertmanager" },
    );
    expect(ams[0]?.url).toContain(`127.0.0.1:${world.alertmanager.port}`);
  });

  it("stop() stops workers in reverse order, frees every port and keeps the data dir", async () => {
    await world.stop();
    expect(stopped).toEqual([...WorkerNames].reverse());
    for (const url of [world.urls.prometheus, world.urls.alertmanager, world.urls.cluster, world.urls.mesh, world.urls.slack, world.urls.natsMonitor]) {
      expect(await refuses(url)).toBe(true);
    }
    expect(existsSync(join(dir, "world", "nats", "nats.conf"))).toBe(true);
    await world.stop();
  });
});
