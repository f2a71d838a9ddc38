// A kubeconfig for the simulator: plain http, insecure-skip-tls-verify (client-node refuses http
// otherwise) and a token user (kubectl drops credentials over http; client-node sends them).
import { KubeConfig } from "@kubernetes/client-node";
import YAML from "yaml";

/** Names used in the generated kubeconfig. */
export interface KubeconfigOptions {
  name?: string;
  namespace?: string;
  token?: string;
}

/** The kubeconfig document as YAML. */
export function kubeconfigYaml(server: string, opts: KubeconfigOptions = {}): string {
  const name = opts.name ?? "siskin-sim";
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: `${name}-user`, user: { token: opts.token ?? "sim-token" } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: opts.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  });
}

/** A client-node KubeConfig for the simulator. */
export function kubeConfigFor(server: string, opts: KubeconfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(server, opts));
  return kc;
}
