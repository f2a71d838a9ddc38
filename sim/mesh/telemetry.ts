// Istio's standard HTTP metrics and KubeVirt-style VMI series, in a dedicated prom-client Registry.
import { Gauge, Registry } from "prom-client";
import { registerIstioMetrics } from "./istio-metrics.js";
import type { IstioLabels } from "./labels.js";
import type { MeshView } from "./workloads.js";

/** Envoy's default histogram buckets, which Istio uses for its duration and size histograms. */
export const IstioBuckets = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;

/** The metric registry of one mesh and the recorder for requests. */
export interface Telemetry {
  registry: Registry;
  /** Records one request for one reporter. */
  record(labels: IstioLabels, latencyMs: number, requestBytes: number, responseBytes: number): void;
}

/** Series for the VMIs in `view()`, computed at scrape time. */
function registerKubevirt(registry: Registry, view: () => MeshView): void {
  const none = "<none>";
  new Gauge({
    name: "kubevirt_vmi_phase_count",
    help: "Sum of VMIs per phase and node.",
    labelNames: ["namespace", "phase", "node", "os", "workload", "flavor", "instance_type", "preference"],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of view().workloads) {
        const phase = w.phase === "" ? "pending" : w.phase.toLowerCase();
        this.inc({ namespace: w.namespace, phase, node: w.node, os: "<unknown>", workload: "<unknown>", flavor: "<unknown>", instance_type: none, preference: none });
      }
    },
  });
  new Gauge({
    name: "kubevirt_vmi_info",
    help: "Information about VirtualMachineInstances.",
    labelNames: ["name", "namespace", "phase", "node", "os", "workload", "flavor", "instance_type", "preference", "guest_os_name", "evictable", "outdated", "vmi_pod"],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of view().workloads) {
        this.set(
          {
            name: w.name, namespace: w.namespace, phase: w.phase === "" ? "pending" : w.phase.toLowerCase(), node: w.node,
            os: "<unknown>", workload: "<unknown>", flavor: "<unknown>", instance_type: none, preference: none,
            guest_os_name: "", evictable: "false", outdated: "false", vmi_pod: w.podName ?? "",
          },
          1,
        );
      }
    },
  });
  new Gauge({
    name: "kubevirt_vmi_migrations_in_running_phase",
    help: "Number of current running migrations.",
    registers: [registry],
    collect() {
      this.set(view().workloads.filter((w) => w.migrating).length);
    },
  });
  new Gauge({
    name: "kubevirt_vmi_migration_running",
    help: "1 while the VMI is live-migrating (status.migrationState present and not completed).",
    labelNames: ["name", "namespace", "node"],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of view().workloads) this.set({ name: w.name, namespace: w.namespace, node: w.node }, w.migrating ? 1 : 0);
    },
  });
}

/** Creates the registry with Istio's four HTTP metrics (label names in Istio's order) and the KubeVirt series. */
export function createTelemetry(view: () => MeshView): Telemetry {
  const registry = new Registry();
  const istio = registerIstioMetrics(registry, IstioBuckets);
  registerKubevirt(registry, view);
  return {
    registry,
    record(labels, latencyMs, reqBytes, resBytes) {
      istio.record(labels, [latencyMs, reqBytes, resBytes]);
    },
  };
}
