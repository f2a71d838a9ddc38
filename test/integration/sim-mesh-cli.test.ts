// `siskin sim mesh`: flags, the command tree, and a run against the cluster simulator through a kubeconfig file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../services/cli/main.js";
import { devCommandModules } from "../../sim/cli/main.js";
import { parseSimMeshOptions, runSimMesh, type SimMeshCliOptions } from "../../sim/cli/commands/sim-mesh.js";
import { startSimCluster } from "../../sim/cluster/index.js";
import type { SimMesh } from "../../sim/mesh/index.js";
import { waitFor } from "../harness/index.js";

const dir = mkdtempSync(join(tmpdir(), "sim-mesh-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaults: SimMeshCliOptions = { port: "0", host: "127.0.0.1", rps: "0", path: "/", maxSeconds: "60", seed: "1" };

describe("siskin sim mesh", () => {
  it("is registered under the sim group", async () => {
    const sim = (await buildProgram(devCommandModules)).commands.find((c) => c.name() === "sim");
    const mesh = sim?.commands.find((c) => c.name() === "mesh");
    expect(mesh?.options.map((o) => o.long)).toEqual(expect.arrayContaining(["--kubeconfig", "--port", "--rps", "--service", "--header"]));
  });

  it.each([
    [{ port: "70000" }, "--port must be an integer 0..65535"],
    [{ rps: "-1" }, "--rps must be a number ≥ 0"],
    [{ rps: "10" }, "--rps needs at least one --service"],
    [{ service: ["web"] }, "--service must be namespace/name"],
    [{ header: ["x-user"] }, "--header must be name=value"],
    [{ path: "web" }, '--path must start with "/"'],
    [{ taggedShare: "1.5", taggedHeader: ["x-canary=always"] }, "--tagged-share must be a number from 0 to 1"],
    [{ taggedShare: "0.1" }, "--tagged-share and --tagged-header go together"],
    [{ taggedHeader: ["x-canary"] }, "--tagged-header must be name=value"],
  ] as Array<[Partial<SimMeshCliOptions>, string]>)("rejects %j", (o, message) => {
    const r = parseSimMeshOptions({ ...defaults, ...o });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.join("; ")).toContain(message);
  });

  it("parses services and headers", () => {
    const r = parseSimMeshOptions({ ...defaults, rps: "20", service: ["default/web", "shop/cart"], header: ["End-User=jason"] });
    expect(r).toMatchObject({ ok: true, value: { rps: 20, services: [{ namespace: "default", service: "web" }, { namespace: "shop", service: "cart" }], headers: { "end-user": "jason" } } });
  });

  it("parses a tagged share (testers on a matched route)", () => {
    const r = parseSimMeshOptions({ ...defaults, rps: "20", service: ["default/web"], taggedShare: "0.1", taggedHeader: ["X-Canary=always"] });
    expect(r).toMatchObject({ ok: true, value: { tagged: { share: 0.1, headers: { "x-canary": "always" } } } });
  });

  it("runs against a kubeconfig file, loads a service, serves metrics, and stops on abort", async () => {
    const cluster = await startSimCluster({ clock: () => Date.now() });
    try {
      const kubeconfig = join(dir, "kubeconfig");
      await cluster.writeKubeconfig(kubeconfig);
      const s = cluster.store;
      s.create({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" } } });
      s.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "web-v1", namespace: "default" }, spec: { runStrategy: "Always", template: { metadata: { labels: { app: "web", version: "1" } }, spec: { domain: { devices: {} } } } } });
      cluster.advance(10_000);
      const parsed = parseSimMeshOptions({ ...defaults, kubeconfig, rps: "200", service: ["default/web"] });
      if (!parsed.ok) throw new Error(parsed.errors.join("; "));
      const ac = new AbortController();
      const lines: string[] = [];
      let mesh: SimMesh | undefined;
      const done = runSimMesh(parsed.value, { signal: ac.signal, out: (l) => lines.push(l), onStarted: (m) => (mesh = m) });
      const m = await waitFor(() => mesh, { timeoutMs: 10_000, what: "sim mesh to start" });
      await waitFor(() => (m.snapshot()["default/web"]?.byVersion["1"] ?? 0) >= 20, { timeoutMs: 5000, what: "the load to reach web v1" });
      const text = await (await fetch(m.metricsUrl)).text();
      expect(text).toMatch(/istio_requests_total\{reporter="destination",[^}]*destination_workload="web-v1"[^}]*\} \d+/);
      expect(lines.join("\n")).toContain("200 req/s to default/web");
      ac.abort();
      await done;
      await expect(fetch(m.metricsUrl)).rejects.toThrow();
    } finally {
      await cluster.close();
    }
  });
});
