/**
 * Kubernetes objects of one worker: ServiceAccount, least-privilege ClusterRole and binding,
 * Deployment (hardened pod, probes, scrape annotations, NATS password from a Secret), Service for
 * webhook workers, and its KEDA ScaledObject.
 */
import { Consumer } from "../../../schemas/subjects.js";
import { natsPasswordEnv } from "../nats-permissions.js";
import { HTTP_PORT, IMAGE, monitoringPeers, NATS_URL, SecretName, SETTINGS_CONFIGMAP, type EnvSource, type WorkerSpec } from "./workers.js";

/** A Kubernetes object as plain data. */
export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Record<string, unknown> };

/** Unprivileged uid/gid of the image's `siskin` user (infra/Dockerfile). */
export const RUN_AS = 10001;

/** The object name of a worker's Deployment, ServiceAccount, Service and RBAC objects. */
export const objectName = (w: Pick<WorkerSpec, "name">): string => `siskin-${w.name}`;

/** Labels selecting one worker's pods. */
export function selectorLabels(w: Pick<WorkerSpec, "name">): Record<string, string> {
  return { "app.kubernetes.io/name": "siskin", "app.kubernetes.io/component": w.name };
}

function envVar(name: string, src: EnvSource): Record<string, unknown> {
  if ("value" in src) return { name, value: src.value };
  if ("setting" in src) return { name, valueFrom: { configMapKeyRef: { name: SETTINGS_CONFIGMAP, key: src.setting } } };
  return { name, valueFrom: { secretKeyRef: { name: src.secret, key: src.key, ...(src.optional ? { optional: true } : {}) } } };
}

/** The container environment: NATS identity, the HTTP listener, then the worker's own variables. */
export function workerEnv(w: WorkerSpec): Array<Record<string, unknown>> {
  return [
    envVar("SISKIN_NATS_SERVERS", { value: NATS_URL }),
    envVar("SISKIN_NATS_USER", { value: w.name }),
    envVar("SISKIN_NATS_PASS", { secret: SecretName.natsUsers, key: w.name }),
    // The connection name shows the pod in the server's /connz.
    { name: "SISKIN_NATS_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    envVar("SISKIN_HTTP_HOST", { value: "0.0.0.0" }),
    envVar("SISKIN_HTTP_PORT", { value: String(HTTP_PORT) }),
    ...(w.service === undefined
      ? []
      : [envVar(w.service.hostEnv, { value: "0.0.0.0" }), envVar(w.service.portEnv, { value: String(w.service.port) })]),
    envVar("SISKIN_LOG_LEVEL", { setting: "log-level" }),
    ...Object.entries(w.env).map(([k, v]) => envVar(k, v)),
  ];
}

/** The hardened container security context every Siskin container uses. */
export const containerSecurity = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** CPU/memory requests and limits from the worker's memory limit. */
function resources(memory: string): Record<string, unknown> {
  const m = /^(\d+)Mi$/.exec(memory);
  if (m === null) throw new Error(`worker memory ${memory} must be in Mi, e.g. 256Mi`);
  return {
    requests: { cpu: "50m", memory: `${Math.ceil(Number(m[1]) / 2)}Mi` },
    limits: { cpu: "500m", memory },
  };
}

export function serviceAccount(w: WorkerSpec): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: objectName(w), labels: selectorLabels(w) },
    // Workers that never call the Kubernetes API get no token at all.
    automountServiceAccountToken: w.rules.length > 0,
  };
}

export function clusterRole(w: WorkerSpec): K8sObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: objectName(w), labels: selectorLabels(w) },
    rules: w.rules,
  };
}

export function clusterRoleBinding(w: WorkerSpec): K8sObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: objectName(w), labels: selectorLabels(w) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: objectName(w) },
    // kustomize sets the namespace of this subject to the base's namespace.
    subjects: [{ kind: "ServiceAccount", name: objectName(w), namespace: "siskin" }],
  };
}

export function deployment(w: WorkerSpec): K8sObject {
  const httpGet = (path: string) => ({ httpGet: { path, port: "http" } });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: objectName(w), labels: selectorLabels(w) },
    spec: {
      // No `replicas`: 1 by default, and KEDA's HPA owns the count when the keda overlay is applied.
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(w) },
      // A worker that is not autoscaled runs exactly once (two watchers would report every change twice).
      strategy: w.scaling === undefined ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: selectorLabels(w),
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(HTTP_PORT),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          serviceAccountName: objectName(w),
          automountServiceAccountToken: w.rules.length > 0,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            seccompProfile: { type: "RuntimeDefault" },
          },
          // The consume loop naks what it pulled and finishes the message in hand on SIGTERM.
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: "worker",
              image: IMAGE,
              imagePullPolicy: "IfNotPresent",
              args: ["serve", w.name],
              ports: [
                { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
                ...(w.service === undefined ? [] : [{ name: "web", containerPort: w.service.port, protocol: "TCP" }]),
              ],
              env: workerEnv(w),
              // tsx compiles TypeScript at start: allow up to a minute before liveness counts.
              startupProbe: { ...httpGet("/healthz"), periodSeconds: 2, failureThreshold: 30 },
              livenessProbe: { ...httpGet("/healthz"), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
              readinessProbe: { ...httpGet("/readyz"), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
              resources: resources(w.memory),
              securityContext: containerSecurity,
              // The root filesystem is read-only; tsx keeps its compile cache in /tmp.
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/** The Service of a webhook worker: port 80 to its webhook listener (expose it with your Ingress or Gateway). */
export function service(w: WorkerSpec): K8sObject {
  if (w.service === undefined) throw new Error(`worker ${w.name} receives no webhooks; it has no Service`);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: objectName(w), labels: selectorLabels(w), annotations: { "siskin.dev/serves": w.service.description } },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(w),
      ports: [{ name: "http-web", port: 80, targetPort: "web", protocol: "TCP" }],
    },
  };
}

/** The NATS monitoring endpoint KEDA reads (`/jsz`): the headless service, so it can reach each server by pod name. */
export const NATS_MONITORING_ENDPOINT = "siskin-nats-headless.siskin.svc.cluster.local:8222";

/** Messages waiting per replica before KEDA adds one. */
export const LAG_THRESHOLD = 20;

/** The ScaledObject of an autoscaled worker: one nats-jetstream trigger per consumer, CPU for webhook-only workers. */
export function scaledObject(w: WorkerSpec): K8sObject {
  if (w.scaling === undefined) throw new Error(`worker ${w.name} is not autoscaled; it has no ScaledObject`);
  const triggers: Array<Record<string, unknown>> = w.consumers.map((c) => ({
    type: "nats-jetstream",
    metadata: {
      natsServerMonitoringEndpoint: NATS_MONITORING_ENDPOINT,
      // No NATS accounts are configured: every user is in the global account.
      account: "$G",
      stream: Consumer[c].stream,
      consumer: c,
      lagThreshold: String(LAG_THRESHOLD),
      activationLagThreshold: "0",
      useHttps: "false",
    },
  }));
  if (w.consumers.length === 0) {
    triggers.push({ type: "cpu", metricType: "Utilization", metadata: { value: "75" } });
  }
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: {
      name: objectName(w),
      labels: selectorLabels(w),
      annotations: { "siskin.dev/min-replicas-reason": w.scaling.why },
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName(w) },
      minReplicaCount: w.scaling.min,
      maxReplicaCount: w.scaling.max,
      pollingInterval: 10,
      cooldownPeriod: 300,
      triggers,
    },
  };
}

/**
 * A worker's NetworkPolicy: ingress only where something must reach it. The webhook port of a
 * webhook worker is open (GitHub, Slack and Alertmanager come through your Ingress; the worker
 * authenticates every request on the route); the metrics port only from monitoring namespaces.
 * Nothing else reaches a worker; its egress (NATS, the API server) is not restricted here.
 */
export function networkPolicy(w: WorkerSpec): K8sObject {
  const ingress: Array<Record<string, unknown>> = [{ from: monitoringPeers, ports: [{ port: HTTP_PORT, protocol: "TCP" }] }];
  if (w.service !== undefined) ingress.unshift({ ports: [{ port: w.service.port, protocol: "TCP" }] });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: objectName(w), labels: selectorLabels(w) },
    spec: { podSelector: { matchLabels: selectorLabels(w) }, policyTypes: ["Ingress"], ingress },
  };
}

/** Every object of one worker, in apply order. */
export function workerObjects(w: WorkerSpec): K8sObject[] {
  const out = [serviceAccount(w)];
  if (w.rules.length > 0) out.push(clusterRole(w), clusterRoleBinding(w));
  out.push(deployment(w));
  if (w.service !== undefined) out.push(service(w));
  out.push(networkPolicy(w));
  return out;
}

/** The NATS password variables the NATS servers read, one per user, from the users Secret. */
export function natsServerPasswordEnv(users: readonly string[]): Array<Record<string, unknown>> {
  return [
    { name: "SISKIN_NATS_PASSWORD_ADMIN", valueFrom: { secretKeyRef: { name: SecretName.natsUsers, key: "admin" } } },
    ...users.map((u) => ({ name: natsPasswordEnv(u), valueFrom: { secretKeyRef: { name: SecretName.natsUsers, key: u } } })),
  ];
}
