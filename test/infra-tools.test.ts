// The shipped configs checked by the real tools: promtool on the PrometheusRule's rules and on every
// dashboard query, `nats-server -t` on the NATS configs, amtool on the Alertmanager route example.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { kubeStateMetricsConfig, productionRules, RULES_FILE, VMROLLOUT_METRIC_PREFIX } from "../scripts/lib/k8s/monitoring.js";
import { one, parseDocs, root, run, tempDir } from "./infra-tools.test-util.js";

const tmp = tempDir("infra-tools");
afterAll(() => tmp.remove());

const promRule = one(parseDocs(readFileSync(join(root, "infra/k8s/monitoring/prometheusrule.yaml"), "utf8")), "PrometheusRule", "siskin");

async function promtoolCheck(groups: unknown, name: string) {
  const file = join(tmp.dir, name);
  writeFileSync(file, YAML.stringify({ groups }));
  return run("promtool", ["check", "rules", file]);
}

describe("PrometheusRule infra/k8s/monitoring/prometheusrule.yaml", () => {
  it("passes promtool check rules", async () => {
    const r = await promtoolCheck(promRule.spec.groups, "prometheusrule.rules.yml");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("is generated from the simulation's rules file: same rules, windows widened for a real scrape interval", () => {
    const sim = YAML.parse(readFileSync(join(root, RULES_FILE), "utf8")) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; labels?: unknown }> }> };
    expect(promRule.spec.groups).toEqual(productionRules(readFileSync(join(root, RULES_FILE), "utf8")));
    const names = (gs: typeof sim.groups) => gs.flatMap((g) => g.rules.map((r) => r.alert ?? "record"));
    expect(names(promRule.spec.groups)).toEqual(names(sim.groups));
    const text = JSON.stringify(promRule.spec.groups);
    for (const m of text.matchAll(/\[(\d+)s\]/g)) expect(Number(m[1])).toBeGreaterThanOrEqual(60);
    // Alerts keep the labels alert-ingest maps to a release.
    for (const g of promRule.spec.groups) {
      for (const r of g.rules) if (r.alert !== undefined) expect(Object.keys(r.labels)).toEqual(expect.arrayContaining(["namespace", "service", "version"]));
    }
    // Every recording rule an expression uses is recorded.
    const recorded = new Set(promRule.spec.groups.flatMap((g: { rules: Array<{ record?: string }> }) => g.rules.map((r) => r.record).filter(Boolean)));
    for (const m of text.matchAll(/siskin:[a-z0-9_:]+/g)) expect(recorded).toContain(m[0]);
  });

  it("refuses a broken rule (promtool is really checking)", async () => {
    const r = await promtoolCheck([{ name: "x", rules: [{ record: "x:y", expr: "sum(rate(foo[1m]) by" }] }], "broken.rules.yml");
    expect(r.code).not.toBe(0);
  });
});

describe("Grafana dashboard infra/grafana/siskin.json", () => {
  const dash = JSON.parse(readFileSync(join(root, "infra/grafana/siskin.json"), "utf8")) as {
    uid: string;
    panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }>; gridPos: { x: number; w: number } }>;
    templating: { list: Array<{ name: string }> };
  };
  const targets = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
  // Grafana's variables, as Grafana substitutes them before the query reaches Prometheus.
  const concrete = (e: string) => e.replace(/\$__rate_interval/g, "1m").replace(/\$__range/g, "1h").replace(/\$(namespace|service)\b/g, ".*");

  it("parses, has the release, traffic and worker panels, and lays them out on the 24-column grid", () => {
    expect(dash.uid).toBe("siskin-overview");
    const titles = dash.panels.map((p) => p.title);
    for (const t of ["VMRollouts by phase", "Canary weight per rollout", "Last verdict per metric", "5xx ratio", "p99 latency"]) expect(titles).toContain(t);
    expect(dash.templating.list.map((v) => v.name)).toEqual(["datasource", "namespace", "service"]);
    for (const p of dash.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    expect(targets.length).toBeGreaterThanOrEqual(10);
  });

  it("has only queries promtool parses", async () => {
    const rules = targets.map((t, i) => ({ record: `dashboard:panel_${i}`, expr: concrete(t.expr) }));
    const r = await promtoolCheck([{ name: "dashboard", rules }], "dashboard.rules.yml");
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("queries per version with Istio's labels, from the destination reporter", () => {
    const istio = targets.filter((t) => t.expr.includes("istio_"));
    expect(istio.length).toBeGreaterThanOrEqual(3);
    for (const t of istio) {
      expect(t.expr).toContain('reporter="destination"');
      expect(t.expr).toContain("destination_version");
    }
    expect(istio.some((t) => t.expr.startsWith("histogram_quantile(0.99") && t.expr.includes("istio_request_duration_milliseconds_bucket"))).toBe(true);
    expect(istio.some((t) => t.expr.includes('response_code=~"5.."'))).toBe(true);
  });

  it("uses only Siskin metrics that a worker registers or kube-state-metrics exports", async () => {
    const registered = new Set<string>();
    const grep = await run("grep", ["-rhoE", 'name: "siskin_[a-z0-9_]+"', "services", "--include=*.ts"]);
    for (const m of grep.stdout.matchAll(/siskin_[a-z0-9_]+/g)) registered.add(m[0]);
    const ksm = (kubeStateMetricsConfig().spec as { resources: Array<{ metrics: Array<{ name: string }> }> }).resources[0]?.metrics ?? [];
    for (const m of ksm) registered.add(`${VMROLLOUT_METRIC_PREFIX}_${m.name}`);
    for (const t of targets) {
      for (const m of t.expr.matchAll(/\bsiskin_[a-z0-9_]+/g)) {
        const metric = m[0].replace(/_(bucket|sum|count)$/, "");
        expect(registered, `${t.panel}: ${m[0]}`).toContain(metric);
      }
    }
  });
});

describe("NATS configs (nats-server -t)", () => {
  const auth = readFileSync(join(root, "infra/nats/authorization.conf"), "utf8");
  const passwords = Object.fromEntries([...new Set([...auth.matchAll(/\$(SISKIN_NATS_PASSWORD_[A-Z0-9_]+)/g)].map((m) => m[1] as string))].map((v) => [v, `dummy-${v}`]));
  const check = (dir: string, file: string, env: Record<string, string>) =>
    run("nats-server", ["-t", "-c", file], { cwd: join(root, dir), env: { PATH: process.env.PATH ?? "", ...env } });

  it.each([
    ["infra/nats", "nats.conf", passwords],
    ["infra/nats", "nats-dev.conf", {}],
    ["infra/k8s/nats", "nats-cluster.conf", { ...passwords, POD_NAME: "siskin-nats-0" }],
  ])("%s/%s is valid with its variables set", async (dir, file, env) => {
    const r = await check(dir, file, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain("is valid");
  });

  it("refuses the cluster config when a worker's password is missing from the environment", async () => {
    const { SISKIN_NATS_PASSWORD_TRAFFIC_ROUTER: _missing, ...rest } = passwords;
    const r = await check("infra/k8s/nats", "nats-cluster.conf", { ...rest, POD_NAME: "siskin-nats-0" });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("SISKIN_NATS_PASSWORD_TRAFFIC_ROUTER");
  });
});

describe("Alertmanager route example docs/examples/alertmanager-route.yml", () => {
  it("passes amtool check-config and sends every alert on to alert-ingest", async () => {
    const r = await run("amtool", ["check-config", "docs/examples/alertmanager-route.yml"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const cfg = YAML.parse(readFileSync(join(root, "docs/examples/alertmanager-route.yml"), "utf8"));
    expect(cfg.route.routes[0]).toMatchObject({ receiver: "siskin-alert-ingest", continue: true });
    expect(cfg.route.routes[0].matchers).toBeUndefined();
    const url = new URL(cfg.receivers[1].webhook_configs[0].url);
    expect(url.host).toBe("siskin-alert-ingest.siskin.svc");
    expect(url.pathname).toBe("/webhooks/alertmanager");
  });
});
