// Pure: will the canary VM really join the mesh and receive traffic? Checks the VirtualMachine the
// release would create, its Service, DestinationRule and namespace against the limits KubeVirt
// documents for Istio (user-guide network/istio_service_mesh.md; tech-facts §1.7) and lists every
// problem with its fix, so one failed release names everything to change.
import type { Problem } from "../../schemas/vm.js";
import { IstioInjectAnnotation } from "../../schemas/rollout-index.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { containerDiskVolume, planVirtualMachine } from "./plan.js";
import type { DestinationRule, Namespace, Service, VmiInterface, VmiNetwork, VmiVolume } from "./vm-types.js";

/** Every problem code the provisioner reports (a `const` table). */
export const PreflightCode = {
  sidecarDisabled: "SIDECAR_INJECTION_DISABLED",
  templateInvalid: "VM_TEMPLATE_INVALID",
  noPodNetwork: "NO_POD_NETWORK",
  podInterfaceMissing: "POD_INTERFACE_MISSING",
  bindingNotSupported: "BINDING_NOT_MESH_COMPATIBLE",
  reservedPort: "ISTIO_RESERVED_PORT",
  ipv6: "IPV6_CONFIGURED",
  invalidLabel: "INVALID_LABEL_VALUE",
  noContainerDisk: "NO_CONTAINER_DISK",
  serviceMissing: "SERVICE_NOT_FOUND",
  serviceNoSelector: "SERVICE_WITHOUT_SELECTOR",
  selectorMismatch: "SERVICE_SELECTOR_MISMATCH",
  serviceNotIpv4: "SERVICE_NOT_IPV4",
  drMissing: "DESTINATION_RULE_NOT_FOUND",
  drHostMismatch: "DESTINATION_RULE_HOST_MISMATCH",
  stableSubsetMissing: "STABLE_SUBSET_MISSING",
  stableSubsetOtherVersion: "STABLE_SUBSET_SELECTS_OTHER_VERSION",
  namespaceNotMeshed: "NAMESPACE_NOT_MESHED",
  /** Not preflight, but reported the same way: the API server refused the planned VM. */
  vmRejected: "VM_REJECTED",
  /** Not preflight: a VM of the planned name exists and runs another version. */
  vmNameTaken: "VM_NAME_TAKEN",
} as const;
/** Union of the codes above. */
export type PreflightCode = (typeof PreflightCode)[keyof typeof PreflightCode];

/** Ports Envoy and istio-agent use in the pod; a VM port among them breaks the sidecar (tech-facts §1.7). */
export const istioReservedPorts: readonly number[] = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** Input of {@link preflight}. */
export interface PreflightInput {
  spec: VMRolloutSpec;
  version: string;
  /** The rollout (its namespace is where the VM, Service and DestinationRule live). */
  rollout: { namespace: string; name: string };
  /** The Service named by `spec.service`, or null when it does not exist. */
  service: Service | null;
  /** The DestinationRule named by `spec.destinationRule.name`, or null when it does not exist. */
  destinationRule: DestinationRule | null;
  /** The rollout's namespace, or null when it could not be read (the injection check is then skipped). */
  namespace: Namespace | null;
}

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ipv6 = /::|\b([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b|\bdhcp6\s*:\s*true\b/;

const problem = (code: PreflightCode, message: string, fix: string): Problem => ({ code, message, fix });

function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v.filter((x) => typeof x === "object" && x !== null) as T[]) : [];
}

function bindingOf(i: VmiInterface): string | undefined {
  for (const b of ["masquerade", "passt", "bridge", "sriov", "slirp", "macvtap"] as const) if (i[b] !== undefined) return b;
  return i.binding?.name;
}

function networkProblems(templateSpec: Record<string, unknown>, where: string): Problem[] {
  const domain = templateSpec.domain as { devices?: { interfaces?: unknown; autoattachPodInterface?: boolean } } | undefined;
  const interfaces = asArray<VmiInterface>(domain?.devices?.interfaces);
  const networks = asArray<VmiNetwork>(templateSpec.networks);
  const out: Problem[] = [];
  const podNet = networks.find((n) => n.pod !== undefined && n.pod !== null);
  const masqueradeFix = `in ${where} use \`interfaces: [{name: default, masquerade: {}}]\` with \`networks: [{name: default, pod: {}}]\``;
  if (podNet === undefined) {
    const auto = networks.length === 0 && interfaces.length === 0 && domain?.devices?.autoattachPodInterface !== false;
    const multus = networks.filter((n) => n.multus !== undefined).map((n) => n.multus?.networkName ?? n.name ?? "");
    const why = auto
      ? "declares no network, so KubeVirt attaches the pod network with its default binding (bridge), which Istio cannot intercept"
      : multus.length > 0
        ? `uses Multus network ${multus.join(", ")} and no pod network, so the Istio sidecar never sees its traffic`
        : "has no pod network, so the Istio sidecar never sees its traffic";
    out.push(problem(PreflightCode.noPodNetwork, `the VM template ${why}`, masqueradeFix));
  } else {
    const iface = interfaces.find((i) => i.name === podNet.name);
    if (iface === undefined) {
      out.push(problem(PreflightCode.podInterfaceMissing, `the VM template's pod network "${podNet.name ?? ""}" has no interface of the same name`, masqueradeFix));
    } else {
      const binding = bindingOf(iface);
      if (binding !== "masquerade" && binding !== "passt") {
        const what = binding === undefined ? "no binding (KubeVirt then defaults to bridge)" : `the ${binding} binding`;
        out.push(problem(PreflightCode.bindingNotSupported, `interface "${iface.name ?? ""}" on the pod network uses ${what}; Istio works with VMs only through masquerade (or passt)`, `set \`masquerade: {}\` on interface "${iface.name ?? ""}" in ${where}`));
      }
    }
  }
  for (const i of interfaces) {
    for (const p of asArray<{ port?: number; name?: string }>(i.ports)) {
      if (p.port !== undefined && istioReservedPorts.includes(p.port)) {
        out.push(problem(PreflightCode.reservedPort, `interface "${i.name ?? ""}" declares port ${p.port}, which Istio reserves for its sidecar (${istioReservedPorts.join(", ")})`, `remove port ${p.port} from interfaces[].ports in ${where} or move the service to another port`));
      }
    }
  }
  return out;
}

function ipv6Problems(templateSpec: Record<string, unknown>, where: string): Problem[] {
  const out: Problem[] = [];
  for (const v of asArray<VmiVolume>(templateSpec.volumes)) {
    const data = v.cloudInitNoCloud?.networkData ?? v.cloudInitConfigDrive?.networkData;
    if (typeof data === "string" && ipv6.test(data)) {
      out.push(problem(PreflightCode.ipv6, `cloud-init networkData of volume "${v.name ?? ""}" configures IPv6, but KubeVirt VMs in an Istio mesh are IPv4 only`, `remove the IPv6 addresses, routes and dhcp6 from the networkData in ${where} (masquerade gives the guest IPv4 by DHCP)`));
    }
  }
  return out;
}

function serviceProblems(input: PreflightInput, labels: Record<string, string>): Problem[] {
  const { spec, rollout, service } = input;
  const ref = `Service ${rollout.namespace}/${spec.service}`;
  if (service === null) {
    return [problem(PreflightCode.serviceMissing, `${ref} does not exist; Istio routes to VMs only through a Service selecting them`, `create ${ref} with \`selector: {app: ${labels.app}}\` and the VM's ports`)];
  }
  const out: Problem[] = [];
  const selector = service.spec?.selector ?? {};
  const keys = Object.keys(selector);
  if (keys.length === 0) {
    out.push(problem(PreflightCode.serviceNoSelector, `${ref} has no selector, so it never selects the VM`, `set \`spec.selector: {app: ${labels.app}}\` on ${ref}`));
  } else {
    const wrong = keys.filter((k) => labels[k] !== selector[k]);
    if (wrong.length > 0) {
      const detail = wrong.map((k) => `${k}=${selector[k]} (VM: ${labels[k] ?? "absent"})`).join(", ");
      out.push(problem(PreflightCode.selectorMismatch, `${ref} selects ${detail}, which the ${input.version} VM would not carry`, `make the selector select every version (e.g. only \`app: ${labels.app}\`), or set these labels in spec.vmTemplate.metadata.labels`));
    }
  }
  const families = service.spec?.ipFamilies ?? [];
  if (service.spec?.ipFamilyPolicy === "RequireDualStack" || (families.length > 0 && !families.includes("IPv4"))) {
    out.push(problem(PreflightCode.serviceNotIpv4, `${ref} is ${service.spec?.ipFamilyPolicy === "RequireDualStack" ? "RequireDualStack" : `IPv6 only (${families.join(", ")})`}, but KubeVirt VMs in an Istio mesh are IPv4 only`, `set \`ipFamilyPolicy: SingleStack\` and \`ipFamilies: [IPv4]\` on ${ref}`));
  }
  return out;
}

function destinationRuleProblems(input: PreflightInput): Problem[] {
  const { spec, rollout, destinationRule: dr } = input;
  const ref = `DestinationRule ${rollout.namespace}/${spec.destinationRule.name}`;
  const versionLabel = spec.versionLabel ?? "version";
  const stable = spec.stableVersion;
  const subsetFix = `add \`- name: ${stable}\` with \`labels: {${versionLabel}: ${stable}}\` to spec.subsets of ${ref} (Siskin adds the canary subset itself)`;
  if (dr === null) {
    return [problem(PreflightCode.drMissing, `${ref} does not exist; the traffic split needs one subset per version`, `create ${ref} with \`host: ${spec.service}\` and ${subsetFix.replace(/^add /, "")}`)];
  }
  const out: Problem[] = [];
  const host = dr.spec?.host ?? "";
  if (host.split(".")[0] !== spec.service) {
    out.push(problem(PreflightCode.drHostMismatch, `${ref} is for host "${host}", not for Service ${spec.service}`, `set \`spec.host: ${spec.service}\` on ${ref}, or name the right DestinationRule in the VMRollout`));
  }
  const subset = (dr.spec?.subsets ?? []).find((s) => s.name === stable);
  if (subset === undefined) {
    out.push(problem(PreflightCode.stableSubsetMissing, `${ref} has no subset "${stable}" for the stable version, so stable traffic would get 503 (no route)`, subsetFix));
  } else if (subset.labels?.[versionLabel] !== undefined && subset.labels[versionLabel] !== stable) {
    out.push(problem(PreflightCode.stableSubsetOtherVersion, `subset "${stable}" of ${ref} selects ${versionLabel}=${subset.labels[versionLabel]}, not the stable version ${stable}`, `set \`labels: {${versionLabel}: ${stable}}\` on subset "${stable}" of ${ref}`));
  }
  return out;
}

function namespaceProblems(input: PreflightInput): Problem[] {
  const labels = input.namespace?.metadata?.labels;
  if (input.namespace === null) return [];
  const ns = input.rollout.namespace;
  const injection = labels?.["istio-injection"];
  if (injection === "disabled") {
    return [problem(PreflightCode.namespaceNotMeshed, `namespace ${ns} has istio-injection=disabled, so no sidecar joins the VM's pod`, `kubectl label namespace ${ns} istio-injection=enabled --overwrite`)];
  }
  if (injection !== "enabled" && labels?.["istio.io/rev"] === undefined) {
    return [problem(PreflightCode.namespaceNotMeshed, `namespace ${ns} is not labelled for Istio injection (istio-injection=enabled or istio.io/rev)`, `kubectl label namespace ${ns} istio-injection=enabled`)];
  }
  return [];
}

/**
 * Every reason the release's VM would not join the mesh or receive traffic, each with its fix; an
 * empty list means go. Checks the planned VM (template + the release's labels and annotation): sidecar
 * injection, the pod network with masquerade/passt binding, no Istio-reserved ports, IPv4 only, valid
 * label values, a containerDisk when `spec.image` is set; the Service (exists, selector matches the
 * VM's labels, IPv4); the DestinationRule (exists, host, a subset for the stable version); and the
 * namespace's injection label.
 */
export function preflight(input: PreflightInput): Problem[] {
  const { spec, version, rollout } = input;
  const where = `spec.vmTemplate of VMRollout ${rollout.namespace}/${rollout.name}`;
  const templateSpec = spec.vmTemplate.spec as unknown;
  if (typeof templateSpec !== "object" || templateSpec === null || typeof (templateSpec as { domain?: unknown }).domain !== "object") {
    return [problem(PreflightCode.templateInvalid, `${where} has no spec.domain, so it is no VirtualMachineInstance spec`, `copy a working VMI spec (domain, networks, volumes) into ${where}.spec`)];
  }
  const vm = planVirtualMachine(spec, rollout, version);
  const labels = vm.spec.template.metadata?.labels ?? {};
  const out: Problem[] = [];
  const inject = vm.spec.template.metadata?.annotations?.[IstioInjectAnnotation];
  if (inject !== "true") {
    out.push(problem(PreflightCode.sidecarDisabled, `${where} sets annotation ${IstioInjectAnnotation}: "${inject ?? ""}", so the canary would run without a sidecar and outside the mesh`, `remove the annotation from ${where}.metadata.annotations (Siskin sets it to "true")`));
  }
  for (const [k, v] of Object.entries(labels)) {
    if (v.length > 63 || !labelValue.test(v)) {
      out.push(problem(PreflightCode.invalidLabel, `label ${k}="${v}" of the VM is not a valid label value (≤ 63 characters, alphanumerics, '-', '_', '.')`, k === "app" ? `set spec.vmTemplate.metadata.labels.app to the Service's selector value` : `use a shorter version name or a different label`));
    }
  }
  out.push(...networkProblems(vm.spec.template.spec, where), ...ipv6Problems(vm.spec.template.spec, where));
  if (spec.image !== undefined && containerDiskVolume(vm.spec.template.spec) === undefined) {
    out.push(problem(PreflightCode.noContainerDisk, `spec.image is ${spec.image} but ${where} has no containerDisk volume to run it from`, `add \`volumes: [{name: containerdisk, containerDisk: {image: ${spec.image}}}]\` and a disk of that name, or drop spec.image`));
  }
  out.push(...serviceProblems(input, labels), ...destinationRuleProblems(input), ...namespaceProblems(input));
  return out;
}
