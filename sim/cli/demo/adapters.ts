/**
 * The demo's ports over the network, so the same player drives the world it started and one running
 * elsewhere (docker-compose): NATS for events, client-node for the cluster, HTTP for sim-slack,
 * sim-git for signed tag pushes.
 */
import { createHash } from "node:crypto";
import * as k8s from "@kubernetes/client-node";
import { decode, type MessageOf } from "../../../schemas/codec.js";
import type { Subject } from "../../../schemas/subjects.js";
import { resolveRollout } from "../../../schemas/rollout-defaults.js";
import { VMRolloutResource, type VMRolloutSpec } from "../../../schemas/rollout.js";
import { connectNats } from "../../../services/runtime/index.js";
import { createSimGit } from "../../git/sim.js";
import type { DemoGit, DemoKube, DemoPorts, DemoSlack, EventFeed, RolloutInfo, SlackMessage, VmiInfo } from "./ports.js";

/** Where the world's parts answer. */
export interface DemoTargets {
  natsServers: string[];
  kubeconfigPath: string;
  /** sim-slack's base URL (`/_sim/messages`, `/_sim/click`). */
  slackUrl: string;
  /** release-trigger's GitHub webhook URL. */
  githubWebhookUrl: string;
  githubSecret: string;
  prometheusUrl: string;
  alertmanagerUrl?: string;
  releaseTriggerUrl?: string;
}

const kubevirt = { group: "kubevirt.io", version: "v1" } as const;
const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

/** Subscribe to `evt.>` and decode; undecodable and duplicate (same envelope id) messages are skipped. */
export async function natsFeed(servers: string[]): Promise<EventFeed> {
  const nc = await connectNats({ servers }, "siskin-demo");
  const listeners = new Set<(msg: MessageOf<Subject>) => void>();
  // A core subscription also sees re-publishes that JetStream drops as duplicates (same msgID): skip them.
  const seen = new Set<string>();
  nc.subscribe("evt.>", {
    callback: (err, m) => {
      if (err !== null) return;
      let msg: MessageOf<Subject>;
      try {
        msg = decode(m.subject, m.data);
      } catch {
        return;
      }
      if (seen.has(msg.id)) return;
      seen.add(msg.id);
      if (seen.size > 50_000) seen.clear();
      for (const fn of listeners) fn(msg);
    },
  });
  await nc.flush();
  return {
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close: () => nc.drain(),
  };
}

const isNotFound = (err: unknown) => err instanceof k8s.ApiException && err.code === 404;

/** The cluster through client-node and a kubeconfig file. */
export function kubeAdapter(kubeconfigPath: string): DemoKube {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const ro = { group: VMRolloutResource.group, version: VMRolloutResource.version, plural: VMRolloutResource.plural };
  const vmis = { ...kubevirt, plural: "virtualmachineinstances" };
  const fail = (what: string) => (err: unknown) => {
    throw new Error(`demo: ${what} failed: ${(err as Error).message}; is the cluster at ${kc.getCurrentCluster()?.server ?? "?"} up?`, { cause: err });
  };
  return {
    async rollout(namespace, name): Promise<RolloutInfo> {
      const o = (await api.getNamespacedCustomObject({ ...ro, namespace, name }).catch(fail(`reading VMRollout ${namespace}/${name}`))) as {
        spec?: VMRolloutSpec;
        status?: { stableVersion?: string };
      };
      if (o.spec === undefined) throw new Error(`demo: VMRollout ${namespace}/${name} has no spec; apply infra/sim/bookinfo first`);
      const r = resolveRollout(o.spec);
      return { stableVersion: o.status?.stableVersion ?? o.spec.stableVersion, steps: r.steps.length, analysisSeconds: r.intervalMs / 1000, rollbackWindowSeconds: r.rollbackWindowMs / 1000 };
    },
    async patchTemplateAnnotations(namespace, name, annotations) {
      await api
        .patchNamespacedCustomObject({ ...ro, namespace, name, body: { spec: { vmTemplate: { metadata: { annotations } } } } }, mergePatch)
        .catch(fail(`patching VMRollout ${namespace}/${name}'s template annotations`));
    },
    async replaceSteps(namespace, name, steps) {
      const o = (await api.getNamespacedCustomObject({ ...ro, namespace, name }).catch(fail(`reading VMRollout ${namespace}/${name}`))) as { spec?: { steps?: unknown[] } };
      // A merge patch replaces a list whole; null removes the field (the default steps).
      await api
        .patchNamespacedCustomObject({ ...ro, namespace, name, body: { spec: { steps: steps === undefined ? null : steps } } }, mergePatch)
        .catch(fail(`replacing VMRollout ${namespace}/${name}'s steps`));
      return o.spec?.steps;
    },
    async patchVmiAnnotations(namespace, name, annotations) {
      await api.patchNamespacedCustomObject({ ...vmis, namespace, name, body: { metadata: { annotations } } }, mergePatch).catch(fail(`annotating VMI ${namespace}/${name}`));
    },
    async listVmis(namespace, labelSelector): Promise<VmiInfo[]> {
      const list = (await api.listNamespacedCustomObject({ ...vmis, namespace, labelSelector }).catch(fail(`listing VMIs in ${namespace}`))) as {
        items: Array<{ metadata: { name: string; labels?: Record<string, string> }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      return list.items.map((v) => ({
        name: v.metadata.name,
        version: v.metadata.labels?.["version"],
        ready: (v.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      }));
    },
    async migrate(namespace, vmi) {
      const name = `${vmi}-migration-${Date.now().toString(36)}`.slice(0, 63);
      await api
        .createNamespacedCustomObject({ ...kubevirt, plural: "virtualmachineinstancemigrations", namespace, body: { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name }, spec: { vmiName: vmi } } })
        .catch(fail(`starting a live migration of VMI ${namespace}/${vmi}`));
      return name;
    },
    async vmStopped(namespace, name) {
      const vm = (await api.getNamespacedCustomObject({ ...kubevirt, plural: "virtualmachines", namespace, name }).catch((err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      })) as { spec?: { runStrategy?: string; running?: boolean } } | null;
      if (vm !== null && vm.spec?.runStrategy !== "Halted" && vm.spec?.running !== false) return false;
      const vmi = await api.getNamespacedCustomObject({ ...vmis, namespace, name }).then(
        () => true,
        (err: unknown) => {
          if (isNotFound(err)) return false;
          throw err;
        },
      );
      return !vmi;
    },
  };
}

/** sim-slack over HTTP. */
export function slackAdapter(slackUrl: string): DemoSlack {
  return {
    async messages() {
      const res = await fetch(`${slackUrl}/_sim/messages`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`demo: GET ${slackUrl}/_sim/messages answered ${res.status}`);
      return ((await res.json()) as { messages: SlackMessage[] }).messages;
    },
    async click(c) {
      const res = await fetch(`${slackUrl}/_sim/click`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(c), signal: AbortSignal.timeout(10_000) });
      const body = (await res.json().catch(() => ({}))) as { ok?: boolean; status?: number; detail?: string };
      if (!res.ok || body.ok !== true || (body.status ?? 500) >= 400) {
        throw new Error(`demo: clicking ${c.actionId} on message ${c.ts} failed (sim-slack ${res.status}, app ${body.status ?? "-"}): ${body.detail ?? ""}`);
      }
    },
  };
}

/** A stable fake commit per tag (GitHub sends the tagged commit's SHA). */
export function commitOf(tag: string): string {
  return createHash("sha1").update(`bookinfo-ratings:${tag}`).digest("hex");
}

/** sim-git towards release-trigger. */
export function gitAdapter(url: string, secret: string): DemoGit {
  const git = createSimGit({ url, secret, pusher: { login: "release-bot" } });
  return {
    async pushTag(repository, tag) {
      const r = await git.pushTag({ repository, tag, sha: commitOf(tag), message: `ratings ${tag}` });
      return { status: r.status, body: r.body };
    },
  };
}

/** Every port, over the network. */
export async function networkPorts(t: DemoTargets): Promise<DemoPorts> {
  return {
    feed: await natsFeed(t.natsServers),
    kube: kubeAdapter(t.kubeconfigPath),
    slack: slackAdapter(t.slackUrl),
    git: gitAdapter(t.githubWebhookUrl, t.githubSecret),
    clock: Date.now,
  };
}
