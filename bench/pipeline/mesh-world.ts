/**
 * The simulated world of the fault benchmark around the pipeline world: one service `web` with a
 * stable VM, its Service, VirtualService and DestinationRule; sim-mesh routing requests by the live
 * weights (a fixed number per scrape); a real Prometheus scraping and evaluating every second, with
 * Siskin's rules; a real Alertmanager posting to alert-ingest; the real metrics-analyzer, k8s-watcher
 * and vm-provisioner. Prometheus can be reloaded with or without its alerting rules.
 */
import { readFileSync } from "node:fs";
import { main as analyzerMain } from "../../services/metrics-analyzer/main.js";
import { renderAlertmanagerConfig, renderPrometheusConfig, rulesFilePath, startSimMesh } from "../../sim/mesh/index.js";
import { startAlertmanager, startPrometheus, waitFor, type PrometheusServer } from "../../sim/world/servers.js";
import type { Cleanups } from "../lib/env.js";
import type { BenchRelease } from "../scale/releases.js";
import { createRolloutObjects } from "./releases.js";
import { startWorld, type PipelineWorld } from "./world.js";

/** The rollout of the fault benchmark. */
export const WEB: BenchRelease = { releaseId: "bench-f/web/v2.0.0", namespace: "bench-f", service: "web", stable: "v1.0.0", canary: "v2.0.0" };

/** The VMI template every version of `web` uses (masquerade interface on the pod network, as Istio needs). */
export const vmTemplateSpec = { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }] };

/** A running fault world. */
export interface MeshWorld extends PipelineWorld {
  prom: PrometheusServer;
  /** Reload Prometheus with (fast path) or without (counted path only) the alerting pipeline. */
  alerts(on: boolean): Promise<void>;
}

/** Start the world; `analysisIntervalSeconds` is only documentation here (it is in each release's spec). */
export async function startMeshWorld(c: Cleanups, opts: { requestsPerScrape: number }): Promise<MeshWorld> {
  const world = await startWorld(c, { namespaces: [WEB.namespace], watcher: true, provisioner: true });
  const s = world.sim.store;
  s.create({ apiVersion: "v1", kind: "Service", metadata: { name: WEB.service, namespace: WEB.namespace }, spec: { selector: { app: WEB.service }, ports: [{ name: "http", port: 80 }] } });
  s.create({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: `${WEB.service}-v1-0-0`, namespace: WEB.namespace, labels: { app: WEB.service, version: WEB.stable } },
    spec: { runStrategy: "Always", template: { metadata: { labels: { app: WEB.service, version: WEB.stable }, annotations: { "sidecar.istio.io/inject": "true" } }, spec: vmTemplateSpec } },
  });
  createRolloutObjects(world.sim, WEB);
  await waitFor(() => s.list("vmi", WEB.namespace).some((v) => (v["status"] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.some((x) => x.type === "Ready" && x.status === "True")), {
    timeoutMs: 20_000,
    what: "the stable VMI to be Ready",
  });

  const mesh = await startSimMesh({ kubeConfig: world.sim.kubeConfig(), timers: "manual", seed: 7 });
  c.add(() => mesh.close());
  mesh.onScrape(() => mesh.generate({ service: WEB.service, namespace: WEB.namespace, count: opts.requestsPerScrape }));

  const am = await startAlertmanager({ configYaml: renderAlertmanagerConfig({ webhookUrl: world.webhookUrl }) });
  c.add(() => am.stop());
  const rules = { "siskin.rules.yml": readFileSync(rulesFilePath, "utf8") };
  const config = (alerts: boolean) =>
    renderPrometheusConfig({
      meshTarget: `127.0.0.1:${mesh.port}`,
      ...(alerts ? { alertmanagerTarget: `127.0.0.1:${am.port}` } : {}),
      ruleFiles: alerts ? ["siskin.rules.yml"] : [],
    });
  const prom = await startPrometheus({ configYaml: config(true), ruleFiles: rules });
  c.add(() => prom.stop());
  const analyzer = await analyzerMain(world.nats.workerEnv({ SISKIN_PROMETHEUS_URL: prom.url }));
  c.add(() => analyzer.stop());
  return { ...world, prom, alerts: (on) => prom.reload({ configYaml: config(on) }) };
}
