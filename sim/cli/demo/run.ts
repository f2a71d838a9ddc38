/**
 * The demo from start to end: bring up the simulated world (or find a running one by URLs from the
 * environment), play the BookInfo stories one after another, print the summary, write the report.
 * No process access here: the command (commands/demo.ts) passes output, env, signals and workers.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Type } from "typebox";
import { loadConfig, NatsConfig } from "../../../services/runtime/index.js";
import { onCallUser, startWorld, type StartWorker, type World } from "../../world/index.js";
import { networkPorts, type DemoTargets } from "./adapters.js";
import { playStory } from "./play.js";
import { exploreLines, intervalsLine, progressLines, storyHeader, summaryTable, verdictLines } from "./render.js";
import { buildReport, exitCodeOf, type DemoReport } from "./report.js";
import { bookinfoRollout, bookinfoStories } from "./stories.js";
import type { StoryResult, StoryScript } from "./types.js";

/** Options of `siskin demo`. */
export interface DemoOptions {
  /** Drive a world that already runs (docker-compose), found by URLs in the environment. */
  external: boolean;
  /** Leave the world running at the end (local mode). */
  keep: boolean;
  reportPath: string;
  dataDir: string;
  /** pino level of the in-process workers. */
  logLevel: string;
  /** Bound on one release, tag push to completion. */
  timeoutSeconds: number;
  analysisSeconds: number;
  rollbackWindowSeconds: number;
  /** The stories (default the five BookInfo releases). */
  stories?: readonly StoryScript[];
}

/** What the demo gets from its process. */
export interface DemoIo {
  out(line: string): void;
  env: Record<string, string | undefined>;
  startWorker: StartWorker;
  /** Resolves when the user wants a kept world stopped (Ctrl-C). */
  untilInterrupted(): Promise<void>;
}

/** The variables `siskin demo --external` reads. */
export const ExternalEnv = Type.Object(
  {
    nats: NatsConfig,
    /** kubeconfig of the simulated cluster (`SISKIN_KUBECONFIG`). */
    kubeconfig: Type.String({ minLength: 1 }),
    /** sim-slack's base URL (`SISKIN_SIM_SLACK_URL`). */
    simSlackUrl: Type.String({ minLength: 1 }),
    /** release-trigger's GitHub webhook URL (`SISKIN_GITHUB_WEBHOOK_URL`). */
    githubWebhookUrl: Type.String({ minLength: 1 }),
    /** Its secret (`SISKIN_GITHUB_WEBHOOK_SECRET`). */
    githubWebhookSecret: Type.String({ minLength: 8 }),
    /** Prometheus (`SISKIN_PROMETHEUS_URL`). */
    prometheusUrl: Type.String({ minLength: 1 }),
    alertmanagerUrl: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: true },
);

/** Targets of a running world, from the environment (throws SISKIN_ERR_INVALID_CONFIG naming each missing variable). */
export function targetsFromEnv(env: Record<string, string | undefined>): DemoTargets {
  const c = loadConfig(ExternalEnv, env, { prefix: "SISKIN_" });
  return {
    natsServers: [...c.nats.servers],
    kubeconfigPath: c.kubeconfig,
    slackUrl: c.simSlackUrl.replace(/\/+$/, ""),
    githubWebhookUrl: c.githubWebhookUrl,
    githubSecret: c.githubWebhookSecret,
    prometheusUrl: c.prometheusUrl.replace(/\/+$/, ""),
    ...(c.alertmanagerUrl === undefined ? {} : { alertmanagerUrl: c.alertmanagerUrl }),
  };
}

/** Targets of a world this process started. */
export function targetsOfWorld(w: World): DemoTargets {
  return {
    natsServers: [w.urls.nats],
    kubeconfigPath: w.kubeconfigPath,
    slackUrl: w.urls.slack,
    githubWebhookUrl: w.urls.githubWebhook,
    githubSecret: w.secrets.githubWebhook,
    prometheusUrl: w.urls.prometheus,
    alertmanagerUrl: w.urls.alertmanager,
    releaseTriggerUrl: w.urls.releaseTrigger,
  };
}

/** Play the stories against the targets; prints as it goes. */
export async function playAll(targets: DemoTargets, stories: readonly StoryScript[], o: Pick<DemoOptions, "timeoutSeconds">, out: (line: string) => void): Promise<StoryResult[]> {
  const ports = await networkPorts(targets);
  const results: StoryResult[] = [];
  const slackSeen = new Map<string, number>();
  try {
    for (const [i, script] of stories.entries()) {
      out(storyHeader(i, stories.length, script));
      const result = await playStory(script, {
        ports,
        rollout: bookinfoRollout,
        onCall: { ...onCallUser },
        timeoutMs: o.timeoutSeconds * 1000,
        slackSeen,
        onRecord: (tag, r) => {
          for (const l of progressLines(tag, r)) out(l);
        },
      });
      results.push(result);
      out(`  => ${result.tag}: ${result.outcome ?? "no outcome"}${result.ok ? " (as expected)" : ` — UNEXPECTED: ${result.problems.join("; ")}`}`);
    }
  } finally {
    await ports.feed.close().catch(() => undefined);
  }
  return results;
}

/** Run the demo; resolves with the report and the exit code (0: every outcome as expected). */
export async function runDemo(o: DemoOptions, io: DemoIo): Promise<{ report: DemoReport; code: 0 | 1 }> {
  const stories = o.stories ?? bookinfoStories;
  const startedAt = Date.now();
  io.out(`Siskin demo: BookInfo's ratings service on KubeVirt VMs (v1 stable), ${stories.length} releases pushed as Git tags.`);
  let world: World | undefined;
  let targets: DemoTargets;
  let intervals = { analysisSeconds: o.analysisSeconds, rollbackWindowSeconds: o.rollbackWindowSeconds, prometheusSeconds: 1 };
  try {
    if (o.external) {
      targets = targetsFromEnv(io.env);
      const ports = await networkPorts(targets);
      const info = await ports.kube.rollout(bookinfoRollout.namespace, bookinfoRollout.name).finally(() => ports.feed.close());
      if (info.stableVersion !== "v1") {
        throw new Error(
          `demo --external: VMRollout ${bookinfoRollout.namespace}/${bookinfoRollout.name} is at ${info.stableVersion}, not v1: this world already played the story; ` +
            "start a fresh one (`docker compose down && docker compose up -d`, or restart `siskin sim up`) and run the demo again",
        );
      }
      intervals = { ...intervals, analysisSeconds: info.analysisSeconds, rollbackWindowSeconds: info.rollbackWindowSeconds };
      io.out(`driving the running world: NATS ${targets.natsServers.join(",")}, Prometheus ${targets.prometheusUrl}, sim-slack ${targets.slackUrl}`);
    } else {
      io.out(`starting the simulated world in ${resolve(o.dataDir)} (NATS, Prometheus, Alertmanager, sim-cluster, sim-mesh, sim-slack, every worker)...`);
      world = await startWorld({
        dataDir: o.dataDir,
        startWorker: io.startWorker,
        logLevel: o.logLevel,
        intervals: { analysisSeconds: o.analysisSeconds, rollbackWindowSeconds: o.rollbackWindowSeconds },
        onProgress: (l) => io.out(`  world: ${l}`),
      });
      targets = targetsOfWorld(world);
      intervals = { ...intervals, prometheusSeconds: world.intervals.prometheusSeconds };
      if (world.workers.includes("dashboard")) io.out(`dashboard: ${world.urls.dashboard}/ (follow the releases live in a browser)`);
    }
    io.out(intervalsLine(intervals));

    const results = await playAll(targets, stories, o, io.out);
    const report = buildReport({ mode: o.external ? "external" : "local", startedAt, finishedAt: Date.now(), intervals, results });
    io.out("");
    io.out("Summary");
    for (const l of summaryTable(results)) io.out(l);
    for (const l of verdictLines(results)) io.out(l);
    const path = resolve(o.reportPath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    io.out(`report: ${path}`);

    if (o.keep && world !== undefined) {
      for (const l of exploreLines({ prometheusUrl: targets.prometheusUrl, alertmanagerUrl: world.urls.alertmanager, kubeconfigPath: world.kubeconfigPath, slackUrl: world.urls.slack, natsUrl: world.urls.nats, releaseTriggerUrl: world.urls.releaseTrigger, meshUrl: world.urls.mesh, dashboardUrl: world.urls.dashboard })) io.out(l);
      await io.untilInterrupted();
    } else if (o.keep) {
      io.out("--keep: the world is docker-compose's; it keeps running until `docker compose down`.");
    }
    return { report, code: exitCodeOf(report) };
  } finally {
    await world?.stop();
  }
}
