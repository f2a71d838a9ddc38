/**
 * Plays the release script against the world, as the people and the services around Siskin would:
 * per service one release after another (services in parallel), each scripted through the VMRollout's
 * template annotations, a fault on the canary or a live migration of stable once traffic reaches a
 * step, and Slack clicks (approve, reject, none; sometimes a non-approver first). A tag push or a click
 * that fails (a killed worker) is retried, as a person would. It reads the releases' progress from the
 * release KV only to know when to go on; the invariant checker judges afterwards.
 */
import { createHash } from "node:crypto";
import { Bucket, releaseKey } from "../../schemas/subjects.js";
import { vmNameFor } from "../../schemas/rollout-defaults.js";
import type { JsonKv } from "../../services/runtime/index.js";
import type { World } from "../world/world.js";
import type { ScriptedRelease } from "./script.js";

/** The on-call approver of every soak rollout, and someone who is not one. */
export const approver = { id: "U0ONCALL1", name: "oncall" } as const;
export const intruder = { id: "U0INTRUDER", name: "intruder" } as const;

const APPROVE = "siskin_approval_approve";
const REJECT = "siskin_approval_reject";
const FINAL = new Set(["succeeded", "rolledBack", "aborted", "superseded", "failed"]);

/** What the driver saw of one release. */
export interface DrivenRelease {
  releaseId: string;
  /** When the tag was accepted (202). */
  pushedAt: number | null;
  /** Push attempts (more than one: release-trigger was down). */
  pushAttempts: number;
  /** When the scripted fault was injected. */
  faultAt: number | null;
  /** When the driver saw the release final in the KV. */
  finalSeenAt: number | null;
  /** Clicks sent, with the app's answer. */
  clicks: Array<{ user: string; action: string; status: number | string; at: number }>;
  problems: string[];
}

/** Options of {@link driveScript}. */
export interface DriveOptions {
  world: World;
  releases: JsonKv;
  /** The latest weights of a service's route (from the recorder). */
  latestWeights(service: string): Record<string, number> | undefined;
  /** Bound on one release, push to final. */
  releaseTimeoutMs: number;
  /** Delay between the first releases of successive services. */
  staggerMs: number;
  /** Approval timeout of the `expired` releases (s). */
  expireSeconds: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shaOf = (repo: string, tag: string) => createHash("sha1").update(`${repo}:${tag}`).digest("hex");

/** The final state name of a stored release, or undefined while it runs. */
export function finalStateOf(value: unknown): string | undefined {
  const audit = (value as { audit?: Array<{ to: string }> } | null)?.audit ?? [];
  const to = audit.at(-1)?.to;
  return to !== undefined && FINAL.has(to) ? to : undefined;
}

/** Play every release; resolves when each is final (or timed out, noted in its problems). */
export async function driveScript(script: readonly ScriptedRelease[], o: DriveOptions): Promise<Map<string, DrivenRelease>> {
  const driven = new Map<string, DrivenRelease>();
  for (const r of script) driven.set(r.releaseId, { releaseId: r.releaseId, pushedAt: null, pushAttempts: 0, faultAt: null, finalSeenAt: null, clicks: [], problems: [] });
  const byService = new Map<string, ScriptedRelease[]>();
  for (const r of script) byService.set(r.service, [...(byService.get(r.service) ?? []), r]);
  const store = o.world.cluster.store;
  const channel = o.world.slackChannel;

  const patchRollout = (r: ScriptedRelease, spec: Record<string, unknown>) => store.patch("vmrollouts.siskin.dev", r.namespace, r.service, { spec }, "merge");
  const stableVersion = (r: ScriptedRelease): string => {
    const ro = store.get("vmrollouts.siskin.dev", r.namespace, r.service) as unknown as { spec: { stableVersion: string }; status?: { stableVersion?: string } };
    return ro.status?.stableVersion ?? ro.spec.stableVersion;
  };

  const push = async (r: ScriptedRelease): Promise<void> => {
    const d = driven.get(r.releaseId) as DrivenRelease;
    const repo = `${r.namespace}/${r.service}`;
    for (;;) {
      d.pushAttempts++;
      const res = await o.world.git.pushTag({ repository: repo, tag: r.version, sha: shaOf(repo, r.version) }).catch((err: unknown) => ({ status: 0, body: String(err) }));
      if (res.status === 202) {
        d.pushedAt = Date.now();
        return;
      }
      if (res.status >= 400 && res.status < 500) {
        d.problems.push(`release-trigger refused the tag: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        return;
      }
      await sleep(500);
    }
  };

  /** One release's scripted actions, done at most once each; true once its KV entry is final. */
  const step = async (r: ScriptedRelease, state: { fault: boolean; clicked: boolean; lastClick: number; intruded: boolean }): Promise<boolean> => {
    const d = driven.get(r.releaseId) as DrivenRelease;
    const entry = await o.releases.get(releaseKey(r.releaseId)).catch(() => undefined);
    if (entry !== undefined && entry !== null && finalStateOf(entry.value) !== undefined) {
      d.finalSeenAt = Date.now();
      return true;
    }
    const weights = o.latestWeights(r.service) ?? {};
    const canary = weights[r.version] ?? 0;
    if (!state.fault && r.kind === "errors5xx" && canary >= 50 && canary < 100) {
      state.fault = true;
      store.patch("vmi", r.namespace, vmNameFor(r.service, r.version), { metadata: { annotations: { "sim.siskin.dev/error-rate": "0.3" } } }, "merge");
      d.faultAt = Date.now();
    }
    if (!state.fault && r.kind === "migration" && canary >= 10 && canary < 100) {
      state.fault = true;
      const stable = vmNameFor(r.service, stableVersion(r));
      store.patch("vmi", r.namespace, stable, { metadata: { annotations: { "sim.siskin.dev/migration-seconds": "8" } } }, "merge");
      store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: `${stable}-mig-${r.version.replace(/\./g, "-")}`, namespace: r.namespace }, spec: { vmiName: stable } } as never);
      d.faultAt = Date.now();
    }
    // Approvals: the message of this release with buttons still on it.
    const wants = r.kind === "denied" ? REJECT : r.kind === "expired" || r.kind === "superseded" ? null : APPROVE;
    if (wants !== null && !state.clicked && Date.now() - state.lastClick > 3_000) {
      const msg = o.world.slack.messages({ channel }).find((m) => m.text.includes(`${r.namespace}/${r.service} ${r.version}:`) && JSON.stringify(m.blocks ?? []).includes(wants));
      if (msg !== undefined) {
        state.lastClick = Date.now();
        if (r.intruderClick === true && !state.intruded) {
          state.intruded = true;
          const res = await o.world.slack.clickButton({ channel, ts: msg.ts, actionId: APPROVE, user: intruder }).catch((err: unknown) => ({ status: String(err) }));
          d.clicks.push({ user: intruder.id, action: APPROVE, status: res.status, at: Date.now() });
        }
        const res = await o.world.slack.clickButton({ channel, ts: msg.ts, actionId: wants, user: approver }).catch((err: unknown) => ({ status: String(err) }));
        d.clicks.push({ user: approver.id, action: wants, status: res.status, at: Date.now() });
        // Done once the gateway took it; a killed gateway or a refused click is tried again later.
        if (typeof res.status === "number" && res.status < 300) state.clicked = true;
      }
    }
    return false;
  };

  const follow = async (rs: ScriptedRelease[], onTick?: () => Promise<void>): Promise<void> => {
    const states = new Map(rs.map((r) => [r.releaseId, { fault: false, clicked: false, lastClick: 0, intruded: false }]));
    const pending = new Set(rs.map((r) => r.releaseId));
    const deadline = Date.now() + o.releaseTimeoutMs;
    while (pending.size > 0) {
      if (Date.now() > deadline) {
        for (const id of pending) driven.get(id)?.problems.push(`not final ${o.releaseTimeoutMs / 1000} s after the push`);
        return;
      }
      for (const r of rs) {
        if (!pending.has(r.releaseId)) continue;
        if (await step(r, states.get(r.releaseId) as { fault: boolean; clicked: boolean; lastClick: number; intruded: boolean })) pending.delete(r.releaseId);
      }
      await onTick?.();
      // Once a second: the driver shares this process with the simulators every worker calls.
      await sleep(1_000);
    }
  };

  const playService = async (list: ScriptedRelease[], delayMs: number): Promise<void> => {
    await sleep(delayMs);
    for (let i = 0; i < list.length; i++) {
      const r = list[i] as ScriptedRelease;
      if (r.supersedes !== undefined) continue;
      const annotations: Record<string, string | null> = {};
      if (r.kind === "latency") annotations["sim.siskin.dev/latency-p99-ms"] = "400";
      if (r.kind === "neverReady") annotations["sim.siskin.dev/never-ready"] = "true";
      if (Object.keys(annotations).length > 0) patchRollout(r, { vmTemplate: { metadata: { annotations } } });
      if (r.kind === "expired") patchRollout(r, { steps: [{ weight: 10 }, { weight: 50 }, { weight: 100, approval: { timeoutSeconds: o.expireSeconds, onTimeout: "reject" } }] });
      o.log?.(`push ${r.releaseId} (${r.kind}, expect ${r.expect})`);
      await push(r);
      const newer = r.supersededBy === undefined ? undefined : list.find((x) => x.version === r.supersededBy);
      // Undo this release's script once its canary VM exists: by then the release has read its spec.
      const undo = async () => {
        const vm = vmNameFor(r.service, r.version);
        const until = Date.now() + o.releaseTimeoutMs;
        while (store.get("vm", r.namespace, vm) === undefined && driven.get(r.releaseId)?.finalSeenAt === null && Date.now() < until) await sleep(250);
        if (Object.keys(annotations).length > 0) patchRollout(r, { vmTemplate: { metadata: { annotations: Object.fromEntries(Object.keys(annotations).map((k) => [k, null])) } } });
        if (r.kind === "expired") patchRollout(r, { steps: [{ weight: 10 }, { weight: 50 }, { weight: 100, approval: { timeoutSeconds: 600, onTimeout: "reject" } }] });
      };
      const undone = undo();
      if (newer === undefined) {
        await follow([r]);
      } else {
        let pushed = false;
        await follow([r], async () => {
          if (pushed || (o.latestWeights(r.service)?.[r.version] ?? 0) < 10) return;
          pushed = true;
          o.log?.(`push ${newer.releaseId} (supersedes ${r.version})`);
          await push(newer);
        });
        if (!pushed) {
          o.log?.(`push ${newer.releaseId} (after ${r.version} ended)`);
          await push(newer);
        }
        await follow([newer]);
      }
      await undone;
    }
  };

  await Promise.all([...byService.values()].map((list, i) => playService(list, i * o.staggerMs)));
  return driven;
}

/** The bucket the driver reads. */
export const releasesBucket = Bucket.releases;
