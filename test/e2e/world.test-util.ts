/**
 * One simulated world per e2e file, with every worker in process, and what the e2e tests look at:
 * the VirtualService weights history (a client-node watch), the release's audit history (its KV
 * entry in the releases bucket), the Slack thread (sim-slack), and the demo's player to push tags
 * and script faults. Short intervals: analysis 5 s, rollback window 5 s, Prometheus 1 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Watch } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { Bucket, releaseKey } from "../../schemas/subjects.js";
import { startWorkerInProcess } from "../../sim/cli/commands/demo.js";
import { networkPorts } from "../../sim/cli/demo/adapters.js";
import { playStory } from "../../sim/cli/demo/play.js";
import type { DemoPorts } from "../../sim/cli/demo/ports.js";
import { targetsOfWorld } from "../../sim/cli/demo/run.js";
import { bookinfoRollout } from "../../sim/cli/demo/stories.js";
import type { ProgressRecord, StoryResult, StoryScript } from "../../sim/cli/demo/types.js";
import { connectNats, openKv, type JsonKv } from "../../services/runtime/index.js";
import { onCallUser, startWorld, type World } from "../../sim/world/index.js";

/** One audit entry of a release: the soak's reader defines it once (sim/soak/collect.ts). */
import type { AuditLine } from "../../sim/soak/collect.js";
export type { AuditLine };

/** The world and the views the tests assert on. */
export interface E2eWorld {
  world: World;
  ports: DemoPorts;
  nc: NatsConnection;
  /** Play a story (push the tag, script the fault, approve as on-call, wait for the outcome; 90 s unless `timeoutMs`). */
  play(script: StoryScript, onRecord?: (r: ProgressRecord) => void, timeoutMs?: number): Promise<StoryResult>;
  /** The distinct successive weights of one DestinationRule subset in the `ratings` VirtualService. */
  weightsOf(subset: string): number[];
  /** The distinct successive mirror percentages to one subset on the managed route (0: no mirror to it). */
  mirrorsOf(subset: string): number[];
  /** Every state of the managed route, as the watch delivered it: subset → weight, and the mirror. */
  routeHistory(): Array<{ weights: Record<string, number>; mirror: { subset: string; percentage: number } | null }>;
  /** The release's audit history from its KV entry. */
  audit(releaseId: string): Promise<AuditLine[]>;
  /** Texts of the Slack thread whose parent names the release (`bookinfo/ratings <version>`), oldest first. */
  thread(version: string): string[];
  /** Patch the ratings VMRollout's spec (merge). */
  patchRollout(spec: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function startE2eWorld(): Promise<E2eWorld> {
  const dir = mkdtempSync(join(tmpdir(), "siskin-e2e-"));
  const world = await startWorld({ dataDir: dir, startWorker: startWorkerInProcess, logLevel: "silent", intervals: { analysisSeconds: 5, rollbackWindowSeconds: 5 } });
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true }), () => world.stop()];
  try {
    const ports = await networkPorts(targetsOfWorld(world));
    cleanups.push(() => ports.feed.close());
    const nc = await connectNats({ servers: [world.urls.nats] }, "e2e-test");
    cleanups.push(() => nc.drain());
    const releases: JsonKv = await openKv(nc, Bucket.releases);

    // Every state of the managed route (the first http route that is not Siskin's), as the watch delivers it.
    const snapshots: Array<Record<string, number>> = [];
    const history: Array<{ weights: Record<string, number>; mirror: { subset: string; percentage: number } | null }> = [];
    const watch = await new Watch(world.cluster.kubeConfig()).watch(
      `/apis/networking.istio.io/v1/namespaces/${bookinfoRollout.namespace}/virtualservices`,
      {},
      (_type, obj: { metadata?: { name?: string }; spec?: { http?: Array<{ name?: string; route?: Array<{ destination: { subset?: string }; weight?: number }>; mirror?: { subset?: string }; mirrorPercentage?: { value?: number } }> } }) => {
        if (obj.metadata?.name !== bookinfoRollout.name) return;
        const managed = (obj.spec?.http ?? []).find((r) => !(r.name ?? "").startsWith("siskin-canary"));
        const route = managed?.route ?? [];
        const weights = Object.fromEntries(route.map((d) => [d.destination.subset ?? "", d.weight ?? (route.length === 1 ? 100 : 0)]));
        snapshots.push(weights);
        const mirror = managed?.mirror === undefined ? null : { subset: managed.mirror.subset ?? "", percentage: managed.mirrorPercentage?.value ?? 100 };
        history.push({ weights, mirror });
      },
      () => undefined,
    );
    cleanups.push(async () => watch.abort());

    const slackSeen = new Map<string, number>();
    return {
      world,
      ports,
      nc,
      play: (script, onRecord, timeoutMs = 90_000) =>
        playStory(script, { ports, rollout: bookinfoRollout, onCall: { ...onCallUser }, timeoutMs, slackSeen, ...(onRecord === undefined ? {} : { onRecord: (_t, r) => onRecord(r) }) }),
      weightsOf(subset) {
        const out: number[] = [];
        for (const s of snapshots) {
          const w = s[subset];
          if (w !== undefined && out.at(-1) !== w) out.push(w);
        }
        return out;
      },
      mirrorsOf(subset) {
        const out: number[] = [];
        for (const h of history) {
          const p = h.mirror?.subset === subset ? h.mirror.percentage : 0;
          if (out.at(-1) !== p && (out.length > 0 || p > 0)) out.push(p);
        }
        return out;
      },
      routeHistory: () => history.map((h) => structuredClone(h)),
      async audit(releaseId) {
        const entry = await releases.get(releaseKey(releaseId));
        return ((entry?.value as { audit?: AuditLine[] } | undefined)?.audit ?? []).slice();
      },
      thread(version) {
        const all = world.slack.messages({ channel: world.slackChannel });
        const parent = all.find((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && m.text.includes(`bookinfo/ratings ${version}`));
        if (parent === undefined) return [];
        return world.slack.messages({ channel: world.slackChannel, threadTs: parent.ts }).map((m) => m.text);
      },
      patchRollout(spec) {
        world.cluster.store.patch("vmrollouts.siskin.dev", bookinfoRollout.namespace, bookinfoRollout.name, { spec }, "merge");
      },
      async close() {
        while (cleanups.length > 0) await cleanups.pop()?.().catch(() => undefined);
      },
    };
  } catch (err) {
    while (cleanups.length > 0) await cleanups.pop()?.().catch(() => undefined);
    throw err;
  }
}
