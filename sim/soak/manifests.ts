/**
 * The soak's services: BookInfo's ratings (infra/sim/bookinfo) copied once per service into one
 * namespace, each with its VM, VirtualService, DestinationRule, VMRollout and load client, with
 * the soak's short timings. Pure apart from reading the templates.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { bookinfoDir } from "../world/world.js";
import { serviceName } from "./script.js";

/** Timings of every soak rollout. */
export interface SoakRolloutTimings {
  analysisSeconds: number;
  rollbackWindowSeconds: number;
  progressDeadlineSeconds: number;
  /** Requests per interval below which a verdict is inconclusive. */
  minRequests: number;
  /** Load client rate per service. */
  rps: number;
}

export const defaultTimings: SoakRolloutTimings = { analysisSeconds: 4, rollbackWindowSeconds: 3, progressDeadlineSeconds: 60, minRequests: 10, rps: 50 };

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

/** The manifests (YAML, one document stream) of `services` services in `namespace`. */
export function soakManifests(services: number, namespace: string, t: SoakRolloutTimings = defaultTimings): string {
  const templates = readdirSync(bookinfoDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => readFileSync(join(bookinfoDir, f), "utf8"));
  const docs: string[] = [YAML.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "istio-injection": "enabled" } } })];
  for (let i = 0; i < services; i++) {
    const svc = serviceName(i);
    for (const text of templates) {
      const replaced = text
        .replace(/bookinfo-productpage/g, `client-${svc}`)
        .replace(/productpage/g, `client-${svc}`)
        .replace(/ratings/g, svc)
        .replace(/bookinfo/g, namespace);
      for (const doc of YAML.parseAllDocuments(replaced)) {
        const o = doc.toJS() as Obj | null;
        if (o === null || o.kind === "Namespace") continue;
        if (o.kind === "VMRollout") tune(o, t);
        if (o.kind === "Pod") (o.metadata as unknown as { annotations: Record<string, string> }).annotations["sim.siskin.dev/load-rps"] = String(t.rps);
        docs.push(YAML.stringify(o));
      }
    }
  }
  return docs.join("---\n");
}

function tune(o: Obj, t: SoakRolloutTimings): void {
  const spec = o.spec as { analysis: Record<string, unknown>; rollbackWindowSeconds: number; progressDeadlineSeconds: number };
  spec.analysis["intervalSeconds"] = t.analysisSeconds;
  spec.analysis["minRequests"] = t.minRequests;
  spec.rollbackWindowSeconds = t.rollbackWindowSeconds;
  spec.progressDeadlineSeconds = t.progressDeadlineSeconds;
}
