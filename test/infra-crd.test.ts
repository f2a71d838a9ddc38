// The generated VMRollout CRD's structural schema, applied as the API server does with strict field
// validation: the shipped sample is accepted; broken rollouts are refused with the field named.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crdValidator } from "../scripts/lib/crd-validate.test-util.js";
import { ofKind, one, parseDocs, root, type Obj } from "./infra-tools.test-util.js";

const crd = one(parseDocs(readFileSync(join(root, "infra/k8s/crds/vmrollout.yaml"), "utf8")), "CustomResourceDefinition", "vmrollouts.siskin.dev");
const validate = crdValidator(crd, "v1alpha1");
const sample = one(parseDocs(readFileSync(join(root, "infra/k8s/samples/bookinfo-ratings/vmrollout.yaml"), "utf8")), "VMRollout", "ratings");

/** The sample with `edit` applied to a deep copy. */
function broken(edit: (r: Obj) => void): Obj {
  const r = structuredClone(sample);
  edit(r);
  return r;
}

describe("VMRollout CRD", () => {
  it("documents every spec field (the schemas' Doc descriptions), so kubectl explain does", () => {
    const version = ((crd.spec as Obj).versions as Obj[])[0] as Obj;
    const spec = (((version.schema as Obj).openAPIV3Schema as Obj).properties as Obj).spec as Obj;
    const undocumented: string[] = [];
    const walk = (node: Obj, path: string) => {
      for (const [k, v] of Object.entries((node.properties as Obj | undefined) ?? {})) {
        const child = v as Obj;
        if (typeof child.description !== "string" || child.description === "") undocumented.push(`${path}.${k}`);
        walk(child, `${path}.${k}`);
        if (child.items !== undefined) walk(child.items as Obj, `${path}.${k}[]`);
      }
    };
    walk(spec, "spec");
    expect(undocumented).toEqual([]);
  });

  it("is served with a status subresource and the phase/stable/canary/weight/age columns", () => {
    const v = crd.spec.versions[0];
    expect(v.subresources).toEqual({ status: {} });
    const columns = (v.additionalPrinterColumns as Array<{ name: string; priority?: number }>).filter((c) => c.priority === undefined).map((c) => c.name);
    expect(columns).toEqual(["Phase", "Stable", "Canary", "Weight", "Age"]);
  });

  it("accepts the BookInfo ratings sample", () => {
    expect(validate(sample)).toEqual([]);
  });

  it("accepts the sample with a status as Siskin writes it", () => {
    const withStatus = broken((r) => {
      r.status = { phase: "Progressing", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10, currentStep: 0, lastVerdicts: [{ metric: "error-rate", verdict: "pass", reason: "0.1 % <= 1 %" }] };
    });
    expect(validate(withStatus)).toEqual([]);
  });

  it("has the VM template of an Istio VM: sidecar annotation, masquerade binding, app/version labels", () => {
    const t = sample.spec.vmTemplate;
    expect(t.metadata.annotations["sidecar.istio.io/inject"]).toBe("true");
    expect(t.metadata.labels).toEqual({ app: "ratings", version: "v1" });
    expect(t.spec.domain.devices.interfaces[0]).toMatchObject({ name: "default", masquerade: {} });
    expect(t.spec.networks).toEqual([{ name: "default", pod: {} }]);
    expect(sample.spec.steps.map((s: { weight: number }) => s.weight)).toEqual([10, 50, 100]);
    expect(sample.spec.steps[1].approval).toBeDefined();
  });

  it.each([
    ["a weight above 100", (r: Obj) => (r.spec.steps[0].weight = 150), /^spec\.steps\[0\]\.weight: .*100/],
    ["an unknown spec field", (r: Obj) => (r.spec.stepz = []), /^spec\.stepz: unknown field "stepz"$/],
    ["an unknown field in a metric", (r: Obj) => (r.spec.analysis.metrics[0].treshold = 1), /^spec\.analysis\.metrics\[0\]\.treshold: unknown field/],
    ["a missing stableVersion", (r: Obj) => delete r.spec.stableVersion, /^spec: .*stableVersion/],
    ["an unknown builtin metric", (r: Obj) => (r.spec.analysis.metrics[1].builtin = "latency-p42"), /^spec\.analysis\.metrics\[1\]\.builtin: /],
    ["a noData policy out of the enum", (r: Obj) => (r.spec.analysis.noData = "ignore"), /^spec\.analysis\.noData: /],
    ["a repository that is not owner/name", (r: Obj) => (r.spec.source.repository = "not a repo"), /^spec\.source\.repository: .*pattern/],
    ["a string where an integer belongs", (r: Obj) => (r.spec.analysis.intervalSeconds = "60"), /^spec\.analysis\.intervalSeconds: .*integer/],
    ["a status phase Siskin never writes", (r: Obj) => (r.status = { phase: "Exploded" }), /^status\.phase: /],
  ])("rejects %s, naming the field", (_what, edit, expected) => {
    const errors = validate(broken(edit));
    expect(errors.length, JSON.stringify(errors)).toBeGreaterThan(0);
    expect(errors.some((e) => expected.test(e)), `errors: ${JSON.stringify(errors)}`).toBe(true);
  });

  it("keeps unknown fields inside the VM template (KubeVirt's schema, not ours)", () => {
    expect(validate(broken((r) => (r.spec.vmTemplate.spec.domain.firmware = { bootloader: { efi: {} } })))).toEqual([]);
  });

  it("every VMRollout shipped in infra/k8s/samples is valid", () => {
    const docs = parseDocs(readFileSync(join(root, "infra/k8s/samples/bookinfo-ratings/vmrollout.yaml"), "utf8"));
    for (const r of ofKind(docs, "VMRollout")) expect(validate(r), r.metadata.name).toEqual([]);
  });
});
