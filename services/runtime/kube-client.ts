/** client-node errors → {@link KubeApiError}. For adapters only (imports the SDK). */
import * as k8s from "@kubernetes/client-node";
import { KubeApiError } from "./kube-error.js";

/** ApiException (or a network error) → KubeApiError with the object, the operation and the API's reason. */
export function toKubeError(err: unknown, what: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof k8s.ApiException) {
    const code = err.code as number;
    let reason: string | undefined;
    let message = "";
    try {
      const body = (typeof err.body === "string" ? JSON.parse(err.body) : err.body) as { reason?: string; message?: string } | null;
      reason = body?.reason;
      message = body?.message ?? "";
    } catch {
      message = String(err.body).slice(0, 300);
    }
    return new KubeApiError(`${what} failed: HTTP ${code}${reason ? ` ${reason}` : ""}${message ? `: ${message}` : ""}`, code, reason, err);
  }
  return new KubeApiError(`${what} failed: ${(err as Error)?.message ?? String(err)}`, undefined, undefined, err);
}

/** A KubeConfig from a file, or the default (in-cluster, then `$KUBECONFIG` / `~/.kube/config`). */
export function loadKubeConfig(path?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path === undefined) kc.loadFromDefault();
  else kc.loadFromFile(path);
  return kc;
}
