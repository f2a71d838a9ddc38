/**
 * docker-compose.yml, checked without a Docker engine: Debian's `docker-compose config` validates and
 * normalizes it; every siskin service's command names an existing `siskin` sub-command (and its
 * flags exist); every read-only mount exists; every worker's config accepts the environment it gets;
 * the URLs the services call each other by line up. The environments the local world (sim-world)
 * gives the workers are checked against the same configs.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { buildProgram } from "../services/cli/main.js";
import { devCommandModules } from "../sim/cli/main.js";
import { workers } from "../services/cli/commands/serve.js";
import { targetsFromEnv } from "../sim/cli/demo/run.js";
import { load as alertIngest } from "../services/alert-ingest/config.js";
import { load as approvalGateway } from "../services/approval-gateway/config.js";
import { load as dashboard } from "../services/dashboard/config.js";
import { load as k8sWatcher } from "../services/k8s-watcher/config.js";
import { load as metricsAnalyzer } from "../services/metrics-analyzer/config.js";
import { load as notifier } from "../services/notifier/config.js";
import { load as orchestrator } from "../services/orchestrator/config.js";
import { load as releaseTrigger } from "../services/release-trigger/config.js";
import { load as statusWriter } from "../services/status-writer/config.js";
import { load as trafficRouter } from "../services/traffic-router/config.js";
import { load as vmProvisioner } from "../services/vm-provisioner/config.js";
import { kubeconfigYaml } from "../sim/cluster/kubeconfig.js";
import { ComposeTargets } from "../sim/mesh/pipeline.js";
import { defaultSecrets, findBinary, WorkerNames, workerEnv, type WorkerName } from "../sim/world/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
}

function composeConfig(): { services: Record<string, ComposeService> } {
  const bin = findBinary(["docker-compose"], ["/usr/bin/docker-compose"]);
  const out = execFileSync(bin, ["-f", join(root, "docker-compose.yml"), "config"], { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: root } });
  return YAML.parse(out) as { services: Record<string, ComposeService> };
}

const configs: Record<WorkerName, (env: Record<string, string | undefined>) => unknown> = {
  "alert-ingest": alertIngest,
  "approval-gateway": approvalGateway,
  dashboard,
  "k8s-watcher": k8sWatcher,
  "metrics-analyzer": metricsAnalyzer,
  notifier,
  orchestrator,
  "release-trigger": releaseTrigger,
  "status-writer": statusWriter,
  "traffic-router": trafficRouter,
  "vm-provisioner": vmProvisioner,
};

/** The sub-command a command line reaches, and the flags it passes. */
function resolve(program: Command, argv: string[]): { cmd: Command; flags: string[]; operands: string[] } {
  let cmd = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const next = cmd.commands.find((c) => c.name() === argv[i]);
    if (next === undefined) break;
    cmd = next;
  }
  const rest = argv.slice(i);
  return { cmd, flags: rest.filter((a) => a.startsWith("--")), operands: rest.filter((a, j) => !a.startsWith("-") && !(rest[j - 1]?.startsWith("--") ?? false)) };
}

describe("docker-compose.yml", () => {
  const { services } = composeConfig();
  const siskin = Object.entries(services).filter(([, s]) => s.image === "siskin:dev");

  it("has the servers, the simulators, provisioning, every worker and the CLI", () => {
    expect(Object.keys(services).sort()).toEqual(
      ["alertmanager", "nats", "prometheus", "provision", "sim-cluster", "sim-mesh", "sim-slack", "siskin", ...WorkerNames].sort(),
    );
    expect(services["nats"]?.command).toEqual(["-c", "/etc/nats/nats.conf"]);
    expect(services["siskin"]?.profiles).toEqual(["tools"]);
  });

  it.each(["provision", "sim-cluster", "sim-mesh", "sim-slack", "siskin", ...WorkerNames])("service %s runs an existing siskin sub-command with existing flags", async (name) => {
    const svc = services[name];
    expect(svc?.image).toBe("siskin:dev");
    const argv = svc?.command ?? [];
    const program = await buildProgram(devCommandModules);
    if (argv[0] === "--help") return;
    const { cmd, flags, operands } = resolve(program, argv);
    expect(cmd, `command ${argv.join(" ")}`).not.toBe(program);
    expect(cmd.commands, `"${argv.join(" ")}" stops at a command group`).toEqual([]);
    const known = new Set(cmd.options.map((o) => o.long));
    for (const f of flags) expect(known.has(f.split("=")[0] ?? f), `${name}: ${cmd.name()} has no flag ${f}`).toBe(true);
    if (cmd.name() === "serve") {
      expect(operands).toEqual([name]);
      expect(Object.keys(workers)).toContain(name);
    }
  });

  it("mounts only files and directories that exist (the report directory ./out is made by Docker)", () => {
    const mounts = Object.values(services).flatMap((s) => s.volumes ?? []);
    expect(mounts.length).toBeGreaterThan(5);
    for (const m of mounts) {
      const [source, , mode] = m.split(":");
      if (mode !== "ro") {
        expect(source).toBe(join(root, "out"));
        continue;
      }
      expect(existsSync(source ?? ""), `mounted ${source}`).toBe(true);
    }
  });

  it("gives every worker an environment its config accepts", () => {
    for (const name of WorkerNames) {
      const env = services[name]?.environment ?? {};
      expect(() => configs[name](env), name).not.toThrow();
    }
    expect(() => targetsFromEnv(services["siskin"]?.environment ?? {})).not.toThrow();
  });

  it("wires the services to each other by the names and ports they listen on", () => {
    const env = (n: string) => services[n]?.environment ?? {};
    expect(ComposeTargets.webhookUrl).toBe(`http://alert-ingest:${env("alert-ingest")["SISKIN_WEBHOOK_PORT"]}/webhooks/alertmanager`);
    expect(ComposeTargets.mesh).toBe(`sim-mesh:${services["sim-mesh"]?.command?.[services["sim-mesh"].command.indexOf("--port") + 1]}`);
    const slackCmd = services["sim-slack"]?.command ?? [];
    expect(slackCmd[slackCmd.indexOf("--interactivity-url") + 1]).toBe(`http://approval-gateway:${env("approval-gateway")["SISKIN_INTERACTIVITY_PORT"]}/slack/events`);
    expect(env("siskin")["SISKIN_GITHUB_WEBHOOK_URL"]).toBe(`http://release-trigger:${env("release-trigger")["SISKIN_LISTEN_PORT"]}/webhooks/github`);
    expect(env("siskin")["SISKIN_GITHUB_WEBHOOK_SECRET"]).toBe(env("release-trigger")["SISKIN_GITHUB_WEBHOOK_SECRET"]);
    expect(env("approval-gateway")["SISKIN_SLACK_SIGNING_SECRET"]).toBe(defaultSecrets.slackSigning);
    expect(env("approval-gateway")["SISKIN_SLACK_API_URL"]).toBe(`http://sim-slack:${slackCmd[slackCmd.indexOf("--port") + 1]}/api/`);
    const clusterCmd = services["sim-cluster"]?.command ?? [];
    const kubeconfig = YAML.parse(kubeconfigYaml(`http://sim-cluster:${clusterCmd[clusterCmd.indexOf("--port") + 1]}`)) as unknown;
    const mounted = join(root, "infra/sim/compose/kubeconfig");
    expect(YAML.parse(execFileSync("cat", [mounted], { encoding: "utf8" })) as unknown).toEqual(kubeconfig);
    for (const [name, s] of siskin) {
      const path = s.environment?.["SISKIN_KUBECONFIG"];
      if (path !== undefined) expect(path, name).toBe("/app/infra/sim/compose/kubeconfig");
    }
  });
});

describe("the local world's worker environments", () => {
  it.each(WorkerNames.map((n) => [n]))("%s: its config accepts what sim-world gives it", (name) => {
    const env = workerEnv(name, {
      natsUrl: "nats://127.0.0.1:4222",
      kubeconfigPath: "/tmp/kubeconfig",
      prometheusUrl: "http://127.0.0.1:9090",
      slackApiUrl: "http://127.0.0.1:18090/api/",
      slackChannel: "C0RELEASES",
      secrets: defaultSecrets,
      ports: { releaseTrigger: 8082, alertIngest: 8081, approvalGateway: 8083, dashboard: 8084 },
      logLevel: "warn",
      orchestratorTickMs: 250,
      analyzerTickMs: 250,
      approvalTickSeconds: 1,
    });
    expect(() => configs[name](env)).not.toThrow();
  });
});
