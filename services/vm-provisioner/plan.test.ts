import { describe, expect, it } from "vitest";
import { destinationRule, goodInput, namespace, specWith, templateFrom, userGuideService } from "./fixtures.test-util.js";
import { planVirtualMachine, preflight, PreflightCode, type PreflightInput } from "./plan.js";

const codes = (input: PreflightInput) => preflight(input).map((p) => p.code);

describe("preflight (upstream KubeVirt VMIs)", () => {
  it("passes the Istio user guide's VMI with its Service", () => {
    expect(preflight(goodInput())).toEqual([]);
  });

  const guide = templateFrom("vmi-istio-user-guide.yaml");
  const withSpec = (edit: (s: Record<string, unknown>) => void) => {
    const t = structuredClone(guide);
    edit(t.spec as Record<string, unknown>);
    return goodInput({ spec: specWith(t) });
  };
  const iface = (s: Record<string, unknown>) => ((s.domain as { devices: { interfaces: Array<Record<string, unknown>> } }).devices.interfaces[0] ?? {});

  it.each<[string, PreflightInput, string[]]>([
    ["the masquerade example configures IPv6 in cloud-init", goodInput({ spec: specWith(templateFrom("vmi-masquerade-example.yaml")) }), [PreflightCode.ipv6]],
    ["the Harvester VMI uses bridge on a Multus default network (and has no containerDisk)", goodInput({ spec: specWith(templateFrom("vmi-running-harvester.json"), { image: "registry/app" }) }), [PreflightCode.noPodNetwork, PreflightCode.noContainerDisk]],
    ["bridge binding on the pod network", withSpec((s) => { delete iface(s).masquerade; iface(s).bridge = {}; }), [PreflightCode.bindingNotSupported]],
    ["no binding at all (KubeVirt defaults to bridge)", withSpec((s) => { delete iface(s).masquerade; }), [PreflightCode.bindingNotSupported]],
    ["passt binding is fine", withSpec((s) => { delete iface(s).masquerade; iface(s).binding = { name: "passt" }; }), []],
    ["no interfaces and no networks (auto pod network, bridge)", withSpec((s) => { delete s.networks; (s.domain as { devices: Record<string, unknown> }).devices.interfaces = []; }), [PreflightCode.noPodNetwork]],
    ["pod network without its interface", withSpec((s) => { iface(s).name = "other"; }), [PreflightCode.podInterfaceMissing]],
    ["an Istio-reserved port", withSpec((s) => { iface(s).ports = [{ port: 8080 }, { port: 15001 }, { port: 15090 }]; }), [PreflightCode.reservedPort, PreflightCode.reservedPort]],
    ["sidecar injection switched off in the template", goodInput({ spec: specWith({ ...guide, metadata: { ...guide.metadata, annotations: { "sidecar.istio.io/inject": "false" } } }) }), [PreflightCode.sidecarDisabled]],
    ["no Service", goodInput({ service: null }), [PreflightCode.serviceMissing]],
    ["a Service selecting a version", goodInput({ service: { ...userGuideService(), spec: { selector: { app: "vmi-istio", version: "v1" } } } }), [PreflightCode.selectorMismatch]],
    ["a Service selecting another app", goodInput({ service: { ...userGuideService(), spec: { selector: { app: "ratings" } } } }), [PreflightCode.selectorMismatch]],
    ["a Service without selector", goodInput({ service: { ...userGuideService(), spec: {} } }), [PreflightCode.serviceNoSelector]],
    ["a dual-stack Service", goodInput({ service: { ...userGuideService(), spec: { selector: { app: "vmi-istio" }, ipFamilyPolicy: "RequireDualStack", ipFamilies: ["IPv4", "IPv6"] } } }), [PreflightCode.serviceNotIpv4]],
    ["an IPv6-only Service", goodInput({ service: { ...userGuideService(), spec: { selector: { app: "vmi-istio" }, ipFamilies: ["IPv6"] } } }), [PreflightCode.serviceNotIpv4]],
    ["no DestinationRule", goodInput({ destinationRule: null }), [PreflightCode.drMissing]],
    ["no stable subset (the canary's is Siskin's to add)", goodInput({ destinationRule: destinationRule("v0") }), [PreflightCode.stableSubsetMissing]],
    ["a DestinationRule for another host", goodInput({ destinationRule: { ...destinationRule("v1"), spec: { host: "reviews.shop.svc.cluster.local", subsets: [{ name: "v1", labels: { version: "v1" } }] } } }), [PreflightCode.drHostMismatch]],
    ["a stable subset selecting another version", goodInput({ destinationRule: { ...destinationRule("v1"), spec: { host: "vmi-istio", subsets: [{ name: "v1", labels: { version: "v9" } }] } } }), [PreflightCode.stableSubsetOtherVersion]],
    ["a namespace with injection disabled", goodInput({ namespace: namespace({ "istio-injection": "disabled" }) }), [PreflightCode.namespaceNotMeshed]],
    ["an unlabelled namespace", goodInput({ namespace: namespace({}) }), [PreflightCode.namespaceNotMeshed]],
    ["a revision-labelled namespace is fine", goodInput({ namespace: namespace({ "istio.io/rev": "1-22" }) }), []],
    ["an unreadable namespace is not judged", goodInput({ namespace: null }), []],
    ["a version too long for a label", goodInput({ version: `v${"1".repeat(63)}` }), [PreflightCode.invalidLabel, PreflightCode.invalidLabel]],
    ["a template without a domain", goodInput({ spec: specWith({ spec: {} }) }), [PreflightCode.templateInvalid]],
  ])("%s", (_name, input, want) => {
    expect(codes(input)).toEqual(want);
  });

  it("lists every problem at once, each with a fix", () => {
    const harvester = templateFrom("vmi-running-harvester.json");
    const bad = goodInput({
      spec: specWith({ ...harvester, metadata: { annotations: { "sidecar.istio.io/inject": "false" } } }, { image: "registry/app" }),
      service: null,
      destinationRule: null,
      namespace: namespace({ "istio-injection": "disabled" }),
    });
    const problems = preflight(bad);
    expect(problems.map((p) => p.code)).toEqual([
      PreflightCode.sidecarDisabled,
      PreflightCode.noPodNetwork,
      PreflightCode.noContainerDisk,
      PreflightCode.serviceMissing,
      PreflightCode.drMissing,
      PreflightCode.namespaceNotMeshed,
    ]);
    for (const p of problems) {
      expect(p.message.length).toBeGreaterThan(20);
      expect(p.fix.length).toBeGreaterThan(10);
    }
    expect(problems[1]?.message).toContain("default/workload");
  });
});

describe("planVirtualMachine", () => {
  const input = goodInput();
  const vm = planVirtualMachine(input.spec, input.rollout, "v2.3.0");

  it("names the VM <service>-<version> and labels VM and template for the mesh and Siskin", () => {
    expect(vm.metadata).toEqual({
      name: "vmi-istio-v2-3-0",
      namespace: "shop",
      labels: { app: "vmi-istio", version: "v2.3.0", "siskin.dev/rollout": "vmi-istio", "siskin.dev/release-version": "v2.3.0" },
      annotations: { "siskin.dev/created-by": "vm-provisioner" },
    });
    expect(vm.spec.template.metadata?.labels).toEqual(vm.metadata.labels);
    expect(vm.spec.template.metadata?.annotations).toEqual({ "sidecar.istio.io/inject": "true" });
    expect(vm.spec.runStrategy).toBe("Always");
    expect(vm.metadata).not.toHaveProperty("ownerReferences");
  });

  it("tags the containerDisk image with the version and keeps the rest of the template", () => {
    const volumes = vm.spec.template.spec.volumes as Array<{ containerDisk?: { image?: string } }>;
    expect(volumes[0]?.containerDisk?.image).toBe("registry:5000/kubevirt/fedora-cloud-container-disk-demo:v2.3.0");
    expect(vm.spec.template.spec.domain).toEqual((input.spec.vmTemplate.spec as Record<string, unknown>).domain);
    expect(vm.spec.template.spec.networks).toEqual([{ name: "default", pod: {} }]);
    expect(((input.spec.vmTemplate.spec as Record<string, unknown>).volumes as Array<{ containerDisk?: { image?: string } }>)[0]?.containerDisk?.image).toBe("registry:5000/kubevirt/fedora-cloud-container-disk-demo:devel");
  });

  it("keeps the template's image without spec.image, uses the rollout's version label, and the template's app", () => {
    const spec = specWith({ metadata: { labels: { app: "ratings", tier: "backend" } }, spec: guide.spec }, { versionLabel: "app.kubernetes.io/version" });
    const plain = planVirtualMachine(spec, { namespace: "shop", name: "ratings" }, "v3", { name: "ratings-canary" });
    expect(plain.metadata.name).toBe("ratings-canary");
    expect(plain.spec.template.metadata?.labels).toEqual({ app: "ratings", tier: "backend", "app.kubernetes.io/version": "v3", "siskin.dev/rollout": "ratings", "siskin.dev/release-version": "v3" });
    expect((plain.spec.template.spec.volumes as Array<{ containerDisk?: { image?: string } }>)[0]?.containerDisk?.image).toBe("registry:5000/kubevirt/fedora-cloud-container-disk-demo:devel");
  });

  it("is deterministic", () => {
    expect(planVirtualMachine(input.spec, input.rollout, "v2.3.0")).toEqual(vm);
  });
});

const guide = templateFrom("vmi-istio-user-guide.yaml");
