/**
 * Shared setup of the sim-mesh integration tests: the simulated cluster with one service `web` backed by
 * two VirtualMachines (versions "1" and "2"), its DestinationRule and VirtualService, the mesh watching
 * it, and a real Prometheus scraping the mesh every second. Traffic is generated per scrape (onScrape), so
 * every scrape sees a fixed number of new requests without a timer in the test.
 */
import { readFileSync } from "node:fs";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { startSimMesh, type SimMesh } from "../../sim/mesh/index.js";
import { renderPrometheusConfig, rulesFilePath } from "../../sim/mesh/pipeline.js";
import { startPrometheus, waitFor, type PrometheusServer } from "../harness/index.js";

/** Options of {@link startWorld}. */
export interface WorldOptions {
  /** `sim.siskin.dev/*` annotations of each version's VM template. */
  annotations?: { "1"?: Record<string, string>; "2"?: Record<string, string> };
  /** Weights of versions 1 and 2. */
  weights: [number, number];
  /** Requests generated before each scrape (default 500). */
  perScrape?: number;
  /** host:port of an Alertmanager, to load the Siskin rules and send alerts. */
  alertmanagerTarget?: string;
}

/** The running world. */
export interface World {
  cluster: RunningSimCluster;
  mesh: SimMesh;
  prom: PrometheusServer;
  /** Sets the VirtualService weights of versions 1 and 2 (merge patch, as kubectl patch --type merge). */
  setWeights(w1: number, w2: number): void;
  /** Runs an instant query; returns [labels, value] per series. */
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  close(): Promise<void>;
}

const httpRoute = (w1: number, w2: number) => ({
  name: "primary",
  route: [
    { destination: { host: "web", subset: "v1" }, weight: w1 },
    { destination: { host: "web", subset: "v2" }, weight: w2 },
  ],
});

/** Starts cluster, VMs (advanced until Ready), mesh and Prometheus. */
export async function startWorld(opts: WorldOptions): Promise<World> {
  const t0 = Date.now();
  const cluster = await startSimCluster({ clock: () => t0 });
  const cleanups: Array<() => Promise<void>> = [() => cluster.close()];
  try {
    const s = cluster.store;
    s.create({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80 }] } });
    for (const v of ["1", "2"] as const) {
      s.create({
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name: `web-v${v}`, namespace: "default" },
        spec: {
          runStrategy: "Always",
          template: {
            metadata: { labels: { app: "web", version: v }, annotations: { "sidecar.istio.io/inject": "true", ...(opts.annotations?.[v] ?? {}) } },
            spec: { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }] },
          },
        },
      });
    }
    s.create({ apiVersion: "networking.istio.io/v1beta1", kind: "DestinationRule", metadata: { name: "web", namespace: "default" }, spec: { host: "web", subsets: [{ name: "v1", labels: { version: "1" } }, { name: "v2", labels: { version: "2" } }] } });
    s.create({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", metadata: { name: "web", namespace: "default" }, spec: { hosts: ["web"], http: [httpRoute(...opts.weights)] } });
    cluster.advance(10_000);
    const ready = s.list("vmi", "default").filter((v) => (v["status"] as { conditions?: Array<{ type: string; status: string }> })?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    if (ready.length !== 2) throw new Error(`sim-mesh world: expected 2 Ready VMIs after advancing the cluster, got ${ready.length}`);

    const mesh = await startSimMesh({ kubeConfig: cluster.kubeConfig(), clock: () => cluster.now(), seed: 11, timers: "manual" });
    cleanups.unshift(() => mesh.close());
    const perScrape = opts.perScrape ?? 500;
    mesh.onScrape(() => mesh.generate({ service: "web", namespace: "default", count: perScrape }));

    const withAlerts = opts.alertmanagerTarget !== undefined;
    const prom = await startPrometheus({
      configYaml: renderPrometheusConfig({
        meshTarget: `127.0.0.1:${mesh.port}`,
        alertmanagerTarget: opts.alertmanagerTarget,
        ruleFiles: withAlerts ? ["siskin.rules.yml"] : [],
      }),
      ruleFiles: withAlerts ? { "siskin.rules.yml": readFileSync(rulesFilePath, "utf8") } : {},
    });
    cleanups.unshift(() => prom.stop());

    const query = async (q: string) => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== "success") throw new Error(`query ${q} failed: ${body.error ?? res.status}`);
      return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    };
    return {
      cluster,
      mesh,
      prom,
      setWeights(w1, w2) {
        s.patch("virtualservices.networking.istio.io", "default", "web", { spec: { http: [httpRoute(w1, w2)] } }, "merge");
      },
      query,
      async close() {
        for (const c of cleanups) await c().catch(() => {});
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => {});
    throw err;
  }
}

/** Waits until Prometheus holds at least `samples` scrapes of the mesh's series for a version. */
export async function waitForSamples(world: World, version: string, samples: number, timeoutMs = 20_000): Promise<void> {
  const q = `count_over_time(istio_requests_total{reporter="destination",destination_version="${version}",response_code="200"}[1m])`;
  await waitFor(async () => ((await world.query(q))[0]?.value ?? 0) >= samples, { timeoutMs, intervalMs: 200, what: `${samples} scrapes of version ${version}` });
}
