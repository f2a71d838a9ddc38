// Loads YAML manifests (multi-document, `kind: List` too) into the simulator: CRDs and Namespaces first,
// then everything else, each created or merged like `kubectl apply` would.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import YAML from "yaml";
import { isObject } from "./types.js";
import type { KubeObject } from "./types.js";
import type { SimStore } from "./sim-store.js";

const rank = (o: KubeObject): number => (o.kind === "CustomResourceDefinition" ? 0 : o.kind === "Namespace" ? 1 : 2);

/** The Kubernetes objects in a YAML text, in apply order. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`sim-cluster load: invalid YAML: ${doc.errors[0]?.message ?? ""}`);
    const value: unknown = doc.toJS();
    if (!isObject(value)) continue;
    if (value.kind === "List" && Array.isArray(value.items)) out.push(...(value.items.filter(isObject) as KubeObject[]));
    else if (typeof value.kind === "string" && typeof value.apiVersion === "string") out.push(value as KubeObject);
  }
  return out.sort((a, b) => rank(a) - rank(b));
}

/** Applies every manifest of the text; returns the stored objects. */
export function loadManifests(store: SimStore, text: string): KubeObject[] {
  return parseManifests(text).map((o) => {
    if (!isObject(o.metadata)) o.metadata = {};
    return store.apply(o);
  });
}

/** Applies every *.yaml, *.yml and *.json file of a directory (sorted by name, CRDs and Namespaces first). */
export async function loadDirectory(store: SimStore, dir: string): Promise<KubeObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")));
  const all = parseManifests(texts.join("\n---\n"));
  return all.map((o) => store.apply(o));
}
