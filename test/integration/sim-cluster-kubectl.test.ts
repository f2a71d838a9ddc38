// The real kubectl (1.32) against sim-cluster: apply of upstream YAML, watch, events, patches, conflicts,
// selectors, delete seen by client-node, api-resources, and a migration. One simulator for the file.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { startSimCluster } from "../../sim/cluster/index.js";
import type { RunningSimCluster } from "../../sim/cluster/index.js";
import { waitFor } from "../../sim/world/wait.js";

const upstream = join(import.meta.dirname, "..", "fixtures", "upstream");
const vmFixture = join(import.meta.dirname, "..", "fixtures", "sim-cluster", "vm-reviews-v2.yaml");
const T0 = Date.now();
let sim: RunningSimCluster;
let dir: string;
let kubeconfig: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sim-cluster-kubectl-"));
  kubeconfig = join(dir, "kubeconfig");
  sim = await startSimCluster({ clock: () => T0 });
  await sim.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("kubectl against sim-cluster", () => {
  it("lists the kinds with their short names in api-resources", async () => {
    const out = await ok(["api-resources"]);
    for (const re of [
      /^virtualmachines\s+vm,vms\s+kubevirt\.io\/v1\s+true\s+VirtualMachine$/m,
      /^virtualmachineinstances\s+vmi,vmis\s+kubevirt\.io\/v1\s+true\s+VirtualMachineInstance$/m,
      /^virtualmachineinstancemigrations\s+vmim,vmims\s+kubevirt\.io\/v1\s+true/m,
      /^virtualservices\s+vs\s+networking\.istio\.io\/v1\s+true\s+VirtualService$/m,
      /^destinationrules\s+dr\s+networking\.istio\.io\/v1\s+true\s+DestinationRule$/m,
      /^vmrollouts\s+vmro\s+siskin\.dev\/v1alpha1\s+true\s+VMRollout$/m,
      /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false/m,
    ]) {
      expect(out).toMatch(re);
    }
  });

  it("applies upstream VMI, Service, VirtualService, DestinationRule and a VM idempotently", async () => {
    const files = [
      join(upstream, "kubevirt", "vmi-istio-user-guide.yaml"),
      join(upstream, "istio", "bookinfo-vs-reviews-80-20.yaml"),
      join(upstream, "istio", "bookinfo-dr-all.yaml"),
      vmFixture,
    ];
    const args = ["apply", ...files.flatMap((f) => ["-f", f])];
    const first = await ok(args);
    expect(first).toContain("virtualmachineinstance.kubevirt.io/vmi-istio created");
    expect(first).toContain("service/vmi-istio created");
    expect(first).toContain("virtualservice.networking.istio.io/reviews created");
    expect(first).toContain("destinationrule.networking.istio.io/ratings created");
    expect(first).toContain("virtualmachine.kubevirt.io/reviews-v2 created");
    const second = await ok(args);
    expect(second.trim().split("\n").every((l) => l.endsWith(" unchanged"))).toBe(true);
    const changed = await ok(["apply", "-f", join(upstream, "istio", "bookinfo-vs-reviews-90-10.yaml")]);
    expect(changed).toContain("virtualservice.networking.istio.io/reviews configured");
    expect(await ok(["get", "vs", "reviews", "-o", "jsonpath={.spec.http[0].route[*].weight}"])).toBe("90 10");
    const yaml = await ok(["get", "vm", "reviews-v2", "-o", "yaml"]);
    expect(yaml).toContain("kind: VirtualMachine");
    expect(yaml).toContain("runStrategy: Always");
  });

  it("shows the VMI lifecycle with get -w while the clock advances", async () => {
    const watchesBefore = sim.watchCount();
    const child = spawn("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "get", "vmi", "reviews-v2", "-w"], {
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    });
    let out = "";
    const seen = (re: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${out}`)), 15_000);
        const check = (): void => {
          if (re.test(out)) {
            clearTimeout(timer);
            child.stdout.off("data", onData);
            resolve();
          }
        };
        const onData = (d: Buffer): void => {
          out += d.toString();
          check();
        };
        child.stdout.on("data", onData);
        check();
      });
    try {
      await seen(/^reviews-v2\s+\S+\s+Pending/m);
      // kubectl prints the object from a GET, then watches from "now" (resourceVersion 0) and skips that
      // watch's first event; advancing before the watch is open would hide the change, as on a real server.
      await waitFor(() => sim.watchCount() > watchesBefore, { timeoutMs: 15_000, what: "kubectl's watch to open" });
      sim.advance(4000);
      await seen(/^reviews-v2\s+\S+\s+Running\s+10\.244\.\d+\.\d+\s+node0\d\s+True/m);
      expect(out).toMatch(/^NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY/m);
      expect(out).toMatch(/Scheduling/);
      expect(out).toMatch(/Scheduled/);
    } finally {
      child.kill();
    }
    expect(await ok(["get", "vm", "reviews-v2", "--no-headers"])).toMatch(/^reviews-v2\s+\S+\s+Running\s+True/);
  });

  it("shows KubeVirt's events with a field selector", async () => {
    const out = await ok(["get", "events", "--field-selector", "involvedObject.name=reviews-v2,involvedObject.kind=VirtualMachineInstance"]);
    expect(out).toMatch(/Normal\s+SuccessfulCreate\s+virtualmachineinstance\/reviews-v2\s+Created virtual machine pod virt-launcher-reviews-v2-/);
    expect(out).toMatch(/Normal\s+Created\s+virtualmachineinstance\/reviews-v2\s+VirtualMachineInstance defined\./);
    expect(out).toMatch(/Normal\s+Started\s+virtualmachineinstance\/reviews-v2\s+VirtualMachineInstance started\./);
    const wide = await ok(["get", "events", "-o", "wide", "--field-selector", "reason=Started,involvedObject.name=reviews-v2"]);
    expect(wide).toMatch(/virt-handler, node0\d/);
  });

  it("patches weights with --type merge and --type json, and refuses a failed json test", async () => {
    await ok(["patch", "vs", "reviews", "--type", "merge", "-p", JSON.stringify({ spec: { http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: 50 }, { destination: { host: "reviews", subset: "v2" }, weight: 50 }] }] } })]);
    expect(await ok(["get", "vs", "reviews", "-o", "jsonpath={.spec.http[0].route[*].weight}"])).toBe("50 50");
    const json = [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 50 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 10 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 90 },
    ];
    await ok(["patch", "vs", "reviews", "--type", "json", "-p", JSON.stringify(json)]);
    expect(await ok(["get", "virtualservices.networking.istio.io", "reviews", "-o", "jsonpath={.spec.http[0].route[*].weight}"])).toBe("10 90");
    const failed = await kubectl(["patch", "vs", "reviews", "--type", "json", "-p", JSON.stringify(json.slice(0, 1))]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("test failed");
    const smp = await kubectl(["patch", "vs", "reviews", "-p", '{"metadata":{"labels":{"a":"b"}}}']);
    expect(smp.stderr).toContain("application/strategic-merge-patch+json is not supported");
  });

  it("refuses a stale replace with a Conflict", async () => {
    const stale = join(dir, "vs.json");
    await writeFile(stale, await ok(["get", "vs", "reviews", "-o", "json"]));
    await ok(["label", "vs", "reviews", "canary=on"]);
    const r = await kubectl(["replace", "-f", stale]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Error from server (Conflict): error when replacing "' +
        stale +
        '": Operation cannot be fulfilled on virtualservices.networking.istio.io "reviews": the object has been modified; please apply your changes to the latest version and try again',
    );
    const fresh = JSON.parse(await ok(["get", "vs", "reviews", "-o", "json"])) as { metadata: { labels?: Record<string, string> } };
    expect(fresh.metadata.labels?.canary).toBe("on");
    expect(JSON.parse(await readFile(stale, "utf8"))).toMatchObject({ kind: "VirtualService" });
  });

  it("filters with label selectors", async () => {
    await ok(["label", "dr", "reviews", "ratings", "tier=backend"]);
    expect((await ok(["get", "dr", "-l", "tier=backend", "-o", "name"])).trim().split("\n")).toEqual([
      "destinationrule.networking.istio.io/ratings",
      "destinationrule.networking.istio.io/reviews",
    ]);
    expect((await ok(["get", "dr", "-l", "tier notin (backend)", "-o", "name"])).trim().split("\n")).toEqual([
      "destinationrule.networking.istio.io/details",
      "destinationrule.networking.istio.io/productpage",
    ]);
    expect((await ok(["get", "vs", "-l", "canary", "--no-headers"])).trim()).toMatch(/^reviews\s+\["reviews"\]/);
    const none = await kubectl(["get", "vs", "-l", "canary=off"]);
    expect(none.stderr).toContain("No resources found in default namespace.");
  });

  it("deletes, and a client-node watcher sees it", async () => {
    const kc = sim.kubeConfig();
    const deleted = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no DELETED event")), 10_000);
      void new k8s.Watch(kc)
        .watch("/apis/networking.istio.io/v1alpha3/namespaces/default/destinationrules", {}, (type, obj: k8s.KubernetesObject) => {
          if (type === "DELETED") {
            clearTimeout(timer);
            resolve(`${obj.apiVersion ?? ""} ${obj.metadata?.name ?? ""}`);
          }
        }, () => undefined)
        .then((ac) => deleted.finally(() => ac.abort()));
    });
    while (sim.watchCount() === 0) await new Promise((r) => setTimeout(r, 10));
    expect(await ok(["delete", "dr", "details"])).toContain('destinationrule.networking.istio.io "details" deleted');
    expect(await deleted).toBe("networking.istio.io/v1alpha3 details");
  });

  it("runs a migration created with kubectl to completion", async () => {
    const vmiYaml = (await readFile(join(upstream, "kubevirt", "vmi-istio-user-guide.yaml"), "utf8")).split("\n---")[0] ?? "";
    await ok(["apply", "-f", "-"], vmiYaml.replaceAll("vmi-istio", "vmi-migratable"));
    sim.advance(2000);
    expect(await ok(["get", "vmi", "vmi-migratable", "-o", "jsonpath={.status.phase}"])).toBe("Running");
    const source = await ok(["get", "vmi", "vmi-migratable", "-o", "jsonpath={.status.nodeName}"]);
    expect(await ok(["apply", "-f", join(upstream, "kubevirt", "vmim-migration-job-example.yaml")])).toContain(
      "virtualmachineinstancemigration.kubevirt.io/migration-job created",
    );
    sim.advance(3000);
    expect(await ok(["get", "vmim", "migration-job", "--no-headers"])).toMatch(/^migration-job\s+Succeeded\s+vmi-migratable/);
    const vmi = JSON.parse(await ok(["get", "vmi", "vmi-migratable", "-o", "json"])) as { status: { nodeName: string; migrationState: Record<string, unknown> } };
    expect(vmi.status.nodeName).not.toBe(source);
    expect(vmi.status.migrationState).toMatchObject({ completed: true, failed: false, sourceNode: source, targetNode: vmi.status.nodeName, mode: "PreCopy" });
    const events = await ok(["get", "events", "--field-selector", "involvedObject.name=vmi-migratable"]);
    expect(events).toMatch(/Normal\s+Migrating\s+virtualmachineinstance\/vmi-migratable\s+VirtualMachineInstance is migrating\./);
    expect(events).toMatch(new RegExp(`Normal\\s+Migrated\\s+virtualmachineinstance/vmi-migratable\\s+The VirtualMachineInstance migrated to node ${vmi.status.nodeName}\\.`));
    const vmimEvents = await ok(["get", "events", "--field-selector", "involvedObject.kind=VirtualMachineInstanceMigration"]);
    expect(vmimEvents).toMatch(/SuccessfulMigration\s+virtualmachineinstancemigration\/migration-job\s+Source node reported migration succeeded/);
  });

  it("handles dry run, field managers, cascading options, bad names and missing namespaces", async () => {
    const dry = await ok(["apply", "--dry-run=server", "-f", join(upstream, "istio", "bookinfo-vs-reviews-50-v3.yaml")]);
    expect(dry).toContain("(server dry run)");
    expect(await ok(["get", "vs", "reviews", "-o", "jsonpath={.spec.http[0].route[*].weight}"])).toBe("10 90");
    await ok(["apply", "--field-manager=siskin", "-f", join(upstream, "istio", "bookinfo-vs-reviews-50-v3.yaml")]);
    expect(await ok(["delete", "dr", "ratings", "--cascade=orphan"])).toContain("deleted");
    expect(await ok(["delete", "dr", "productpage", "--cascade=foreground"])).toContain("deleted");
    const bad = await kubectl(["create", "namespace", "Bad_NS"]);
    expect(bad.stderr).toContain('The Namespace "Bad_NS" is invalid: metadata.name: Invalid value: "Bad_NS": a lowercase RFC 1123 label');
    await ok(["create", "namespace", "team-a"]);
    const missing = await kubectl(["-n", "nowhere", "apply", "-f", join(upstream, "istio", "bookinfo-vs-reviews-80-20.yaml")]);
    expect(missing.stderr).toContain('namespaces "nowhere" not found');
  });
});
