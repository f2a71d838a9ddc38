// Each Deployment's environment, with the Secrets filled in, is a valid configuration for the worker's
// own config.ts, and sets no variable the worker does not read (a typo would be silently ignored).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { envNameOf, type JsonSchema } from "../services/runtime/env-names.js";
import { workers } from "../scripts/lib/k8s/workers.js";
import { kustomize, one, root, type Obj } from "./infra-tools.test-util.js";

/** Every variable a config schema reads: one per leaf property, named as loadConfig names it. */
function envLeaves(schema: JsonSchema, path: string[] = []): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, sub]) =>
    sub.type === "object" && sub.properties !== undefined ? envLeaves(sub, [...path, k]) : [envNameOf("SISKIN_", [...path, k])],
  );
}

/** The settings ConfigMap's data as shipped in infra/k8s/base/settings.env. */
function shippedSettings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(root, "infra/k8s/base/settings.env"), "utf8").split("\n")) {
    const m = /^([a-z0-9-]+)=(.*)$/.exec(line);
    if (m !== null) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** A plausible value for a Secret key: JSON for the keys that hold JSON (per-person API tokens), else an opaque string. */
const secretSample = (key: string) =>
  key === "api-people" ? JSON.stringify({ ["a".repeat(64)]: { user: "alice", groups: ["oncall"] } }) : `secret-${key}-0123456789abcdef`;

/** The container env resolved as the kubelet would: Secret keys get a dummy value, settings their value. */
function resolveEnv(d: Obj, settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of d.spec.template.spec.containers[0].env as Array<Record<string, any>>) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom.secretKeyRef !== undefined) env[e.name] = secretSample(e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom.configMapKeyRef !== undefined) env[e.name] = settings[e.valueFrom.configMapKeyRef.key] ?? "";
    else if (e.valueFrom.fieldRef !== undefined) env[e.name] = "siskin-worker-7d9f-abcde";
  }
  return env;
}

const withConfig = workers.filter((w) => existsSync(join(root, "services", w.name, "config.ts")));

let base: Obj[];
beforeAll(async () => {
  base = await kustomize("infra/k8s");
});

describe("Deployment env against each worker's config.ts", () => {
  it("covers at least the workers whose config exists today", () => {
    expect(withConfig.length).toBeGreaterThan(0);
  });

  it.each(withConfig.map((w) => [w.name]))("%s: the env (Secrets filled, channel set) loads, and names only variables it reads", async (name) => {
    const mod = (await import(`../services/${name}/config.ts`)) as Record<string, unknown> & { load(env: Record<string, string>): any };
    const schema = Object.values(mod).find((v): v is JsonSchema => typeof v === "object" && v !== null && (v as JsonSchema).type === "object");
    if (schema === undefined) throw new Error(`services/${name}/config.ts exports no config schema`);
    const d = one(base, "Deployment", `siskin-${name}`);
    const env = resolveEnv(d, { ...shippedSettings(), "slack-default-channel": "C0123456789" });
    const known = new Set(envLeaves(schema));
    for (const v of Object.keys(env)) expect(known, `${v} is set on siskin-${name} but services/${name}/config.ts does not read it`).toContain(v);
    const cfg = mod.load(env);
    expect(cfg.nats.user).toBe(name);
    expect(cfg.http).toEqual({ host: "0.0.0.0", port: 8080 });
    const web = (d.spec.template.spec.containers[0].ports as Array<{ name: string; containerPort: number }>).find((p) => p.name === "web");
    const spec = workers.find((w) => w.name === name)?.service;
    if (spec !== undefined) expect(Number(env[spec.portEnv])).toBe(web?.containerPort);
  });

  it("fails fast, naming the variable, while the Slack channel setting is left empty", async () => {
    const needsChannel = withConfig.filter((w) => Object.values(w.env).some((s) => "setting" in s && s.setting === "slack-default-channel"));
    for (const w of needsChannel) {
      const mod = (await import(`../services/${w.name}/config.ts`)) as { load(env: Record<string, string>): unknown };
      const env = resolveEnv(one(base, "Deployment", `siskin-${w.name}`), shippedSettings());
      expect(() => mod.load(env)).toThrow(/SISKIN_SLACK_DEFAULT_CHANNEL/);
    }
  });
});
