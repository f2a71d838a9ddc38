// Types an install of Siskin writes (`kubectl apply -k infra/k8s` and its overlays), stored generically:
// workloads, service accounts, config, RBAC, policies, and the KEDA and Prometheus Operator resources.
// No behaviour beyond storage: nothing runs the pods of a Deployment here.
import { NameRule } from "./validation.js";
import type { ResourceType } from "./registry.js";

interface Spec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  namespaced?: boolean;
  status?: boolean;
  categories?: string[];
}

function stored(s: Spec): ResourceType {
  return {
    group: s.group,
    versions: [s.version],
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    namespaced: s.namespaced ?? true,
    statusSubresource: s.status ?? false,
    nameRule: NameRule.subdomain,
    builtin: true,
    printerColumns: {},
    schemas: {},
    fieldLabels: [],
  };
}

const rbac = "rbac.authorization.k8s.io";
const monitoring = "monitoring.coreos.com";

/** The extra served types, added to the built-in ones by the registry. */
export const extraTypes: readonly ResourceType[] = [
  stored({ group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"], status: true, categories: ["all"] }),
  stored({ group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", shortNames: ["sts"], status: true, categories: ["all"] }),
  stored({ group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"] }),
  stored({ group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"] }),
  stored({ group: "", version: "v1", kind: "Secret", plural: "secrets" }),
  stored({ group: rbac, version: "v1", kind: "Role", plural: "roles" }),
  stored({ group: rbac, version: "v1", kind: "RoleBinding", plural: "rolebindings" }),
  stored({ group: rbac, version: "v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false }),
  stored({ group: rbac, version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false }),
  stored({ group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", shortNames: ["pdb"], status: true }),
  stored({ group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", shortNames: ["netpol"] }),
  stored({ group: "keda.sh", version: "v1alpha1", kind: "ScaledObject", plural: "scaledobjects", shortNames: ["so"], status: true }),
  stored({ group: monitoring, version: "v1", kind: "PrometheusRule", plural: "prometheusrules", shortNames: ["promrule"] }),
  stored({ group: monitoring, version: "v1", kind: "PodMonitor", plural: "podmonitors", shortNames: ["pmon"] }),
  stored({ group: monitoring, version: "v1", kind: "ServiceMonitor", plural: "servicemonitors", shortNames: ["smon"] }),
  stored({ group: monitoring, version: "v1alpha1", kind: "AlertmanagerConfig", plural: "alertmanagerconfigs", shortNames: ["amcfg"] }),
];
