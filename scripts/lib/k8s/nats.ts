/**
 * The NATS cluster Siskin keeps its state in: a 3-server StatefulSet with clustered JetStream
 * (config infra/k8s/nats/nats-cluster.conf, mounted from a generated ConfigMap), a client Service,
 * the headless Service the servers route through, a PodDisruptionBudget and a NetworkPolicy.
 */
import { workerAccess } from "../nats-permissions.js";
import { containerSecurity, natsServerPasswordEnv, RUN_AS, type K8sObject } from "./objects.js";
import { monitoringPeers } from "./workers.js";

/** The NATS server image (JetStream clustering; 2.10 adds multi-filter consumers). */
export const NATS_IMAGE = "nats:2.10.24-alpine";
/** JetStream servers: three, so streams replicated three ways survive one server's loss. */
export const NATS_REPLICAS = 3;
/** Name of the ConfigMap kustomize generates from infra/k8s/nats/ (it appends a content hash). */
export const NATS_CONFIGMAP = "siskin-nats-config";

const labels = { "app.kubernetes.io/name": "siskin", "app.kubernetes.io/component": "nats" };

const ports = [
  { name: "client", port: 4222 },
  { name: "cluster", port: 6222 },
  { name: "monitor", port: 8222 },
];

export function natsObjects(): K8sObject[] {
  const headless: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "siskin-nats-headless", labels },
    spec: {
      clusterIP: "None",
      // Servers must find each other before they are ready: JetStream readiness needs the route mesh.
      publishNotReadyAddresses: true,
      selector: labels,
      ports: ports.map((p) => ({ ...p, targetPort: p.name, protocol: "TCP" })),
    },
  };
  const client: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "siskin-nats", labels },
    spec: {
      type: "ClusterIP",
      selector: labels,
      ports: ports.filter((p) => p.name !== "cluster").map((p) => ({ ...p, targetPort: p.name, protocol: "TCP" })),
    },
  };
  const httpGet = (path: string) => ({ httpGet: { path, port: "monitor" } });
  const statefulSet: K8sObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "siskin-nats", labels },
    spec: {
      serviceName: "siskin-nats-headless",
      replicas: NATS_REPLICAS,
      // All servers start together: the JetStream meta group needs a quorum to elect a leader.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { "prometheus.io/scrape": "false" } },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            fsGroup: RUN_AS,
            seccompProfile: { type: "RuntimeDefault" },
          },
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 60,
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
          ],
          containers: [
            {
              name: "nats",
              image: NATS_IMAGE,
              args: ["--config", "/etc/nats/nats.conf"],
              ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
              env: [
                // nats-cluster.conf names the server after its pod (server_name: $POD_NAME).
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                ...natsServerPasswordEnv(Object.keys(workerAccess)),
              ],
              startupProbe: { ...httpGet("/healthz"), periodSeconds: 5, failureThreshold: 90 },
              livenessProbe: { ...httpGet("/healthz?js-enabled-only=true"), periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
              readinessProbe: { ...httpGet("/healthz?js-server-only=true"), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
              // Lame duck mode: clients move to the other servers before this one stops.
              lifecycle: { preStop: { exec: { command: ["nats-server", "-sl=ldm=/var/run/nats/nats.pid"] } } },
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
              securityContext: containerSecurity,
              volumeMounts: [
                { name: "config", mountPath: "/etc/nats" },
                { name: "data", mountPath: "/data" },
                { name: "pid", mountPath: "/var/run/nats" },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: NATS_CONFIGMAP } },
            { name: "pid", emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
        },
      ],
    },
  };
  const pdb: K8sObject = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "siskin-nats", labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };
  const policy: K8sObject = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "siskin-nats", labels },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ["Ingress"],
      ingress: [
        // Routes carry no credentials: only the NATS servers themselves may connect to 6222.
        { from: [{ podSelector: { matchLabels: labels } }], ports: [{ port: 6222, protocol: "TCP" }] },
        // Clients: Siskin's own pods only (each also authenticates as its NATS user); `siskin` reaches it by port-forward.
        { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "siskin" } } }], ports: [{ port: 4222, protocol: "TCP" }] },
        // Monitoring (/jsz, /varz): KEDA and the namespaces that scrape Siskin.
        { from: monitoringPeers, ports: [{ port: 8222, protocol: "TCP" }] },
      ],
    },
  };
  return [headless, client, statefulSet, pdb, policy];
}
