// The pipeline configuration: the shipped files are the docker-compose renderings, promtool and amtool
// accept them, and `promtool test rules` checks what the rules compute from Istio series.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  alertmanagerConfigPath, ComposeTargets, prometheusConfigPath, renderAlertmanagerConfig, renderPrometheusConfig, rulesFilePath,
} from "../../sim/mesh/pipeline.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "sim-mesh-pipeline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tool(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd: dir });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("pipeline configuration", () => {
  it("infra/prometheus/prometheus.yml is renderPrometheusConfig for docker-compose", () => {
    const shipped = readFileSync(prometheusConfigPath, "utf8");
    expect(shipped).toBe(renderPrometheusConfig({ meshTarget: ComposeTargets.mesh, alertmanagerTarget: ComposeTargets.alertmanager, ruleFiles: ComposeTargets.ruleFiles }));
    const cfg = YAML.parse(shipped) as { global: Record<string, string>; scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    expect(cfg.global).toMatchObject({ scrape_interval: "1s", evaluation_interval: "1s" });
    expect(cfg.scrape_configs[0]?.static_configs[0]?.targets).toEqual(["sim-mesh:9464"]);
  });

  it("infra/alertmanager/alertmanager.yml is renderAlertmanagerConfig for docker-compose", () => {
    const shipped = readFileSync(alertmanagerConfigPath, "utf8");
    expect(shipped).toBe(renderAlertmanagerConfig({ webhookUrl: ComposeTargets.webhookUrl }));
    const cfg = YAML.parse(shipped) as { route: Record<string, unknown>; receivers: Array<{ webhook_configs: Array<{ url: string; send_resolved: boolean }> }> };
    expect(cfg.route).toMatchObject({ group_wait: "1s", group_interval: "1s", repeat_interval: "1m" });
    expect(cfg.receivers[0]?.webhook_configs[0]).toEqual({ url: "http://alert-ingest:8080/webhooks/alertmanager", send_resolved: true });
  });

  it("promtool check config accepts prometheus.yml with the rules beside it", async () => {
    writeFileSync(join(dir, "siskin.rules.yml"), readFileSync(rulesFilePath));
    writeFileSync(join(dir, "prometheus.yml"), renderPrometheusConfig({ meshTarget: "127.0.0.1:9464", alertmanagerTarget: "127.0.0.1:9093", ruleFiles: ["siskin.rules.yml"] }));
    const r = await tool("promtool", ["check", "config", "prometheus.yml"]);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("promtool check rules accepts siskin.rules.yml (3 recording rules, 2 alerts)", async () => {
    const r = await tool("promtool", ["check", "rules", rulesFilePath]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("SUCCESS: 5 rules found");
  });

  it("amtool check-config accepts alertmanager.yml (file and a rendering with a test URL)", async () => {
    writeFileSync(join(dir, "am.yml"), renderAlertmanagerConfig({ webhookUrl: "http://127.0.0.1:18080/webhooks/alertmanager" }));
    for (const file of [alertmanagerConfigPath, join(dir, "am.yml")]) {
      const r = await tool("amtool", ["check-config", file]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain("SUCCESS");
    }
  });

  it("promtool test rules: 20 % 5xx on version 2 fires SiskinCanaryHighErrorRate; 1.5 s p99 fires SiskinCanaryHighLatency", async () => {
    const base = 'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="cart"';
    const bucket = (v: string, le: string) => `istio_request_duration_milliseconds_bucket{${base},destination_version="${v}",le="${le}"}`;
    const test = {
      rule_files: [rulesFilePath],
      evaluation_interval: "1s",
      tests: [
        {
          interval: "1s",
          input_series: [
            // version 1: 100 req/s, all 200; version 2: 80 req/s 200 + 20 req/s 503.
            { series: `istio_requests_total{${base},destination_version="1",response_code="200"}`, values: "0+100x30" },
            { series: `istio_requests_total{${base},destination_version="2",response_code="200"}`, values: "0+80x30" },
            { series: `istio_requests_total{${base},destination_version="2",response_code="503"}`, values: "0+20x30" },
            // version 1 answers under 100 ms; version 3 takes 1-2.5 s.
            { series: bucket("1", "100"), values: "0+100x30" },
            { series: bucket("1", "+Inf"), values: "0+100x30" },
            { series: bucket("3", "1000"), values: "0+0x30" },
            { series: bucket("3", "2500"), values: "0+10x30" },
            { series: bucket("3", "+Inf"), values: "0+10x30" },
          ],
          promql_expr_test: [
            {
              expr: "siskin:istio_request_error_ratio:rate10s",
              eval_time: "20s",
              exp_samples: [
                { labels: 'siskin:istio_request_error_ratio:rate10s{destination_canonical_service="cart",destination_version="1",destination_workload_namespace="shop"}', value: 0 },
                { labels: 'siskin:istio_request_error_ratio:rate10s{destination_canonical_service="cart",destination_version="2",destination_workload_namespace="shop"}', value: 0.2 },
              ],
            },
          ],
          alert_rule_test: [
            {
              eval_time: "20s",
              alertname: "SiskinCanaryHighErrorRate",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", namespace: "shop", service: "cart", version: "2", destination_workload_namespace: "shop", destination_canonical_service: "cart", destination_version: "2" },
                  exp_annotations: {
                    summary: "5xx ratio of cart 2 above 5 %",
                    description: "shop/cart version 2 answers 20% of requests with 5xx (10 s window).",
                  },
                },
              ],
            },
            {
              eval_time: "20s",
              alertname: "SiskinCanaryHighLatency",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", namespace: "shop", service: "cart", version: "3", destination_workload_namespace: "shop", destination_canonical_service: "cart", destination_version: "3" },
                  exp_annotations: {
                    summary: "p99 latency of cart 3 above 1000 ms",
                    description: "shop/cart version 3 has a p99 of 2485 ms (10 s window).",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, "rules.test.yml"), YAML.stringify(test));
    const r = await tool("promtool", ["test", "rules", "rules.test.yml"]);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });
});
