// Test support: loads the upstream Istio / Argo Rollouts / Flagger YAML fixtures (multi-document).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import type { DestinationRule, VirtualService } from "./vs-types.js";

const root = fileURLToPath(new URL("../../test/fixtures/upstream/", import.meta.url));

/** Every non-empty document of `test/fixtures/upstream/<rel>`, as plain JS. */
export function loadDocs(rel: string): Array<Record<string, unknown>> {
  const docs = YAML.parseAllDocuments(readFileSync(`${root}${rel}`, "utf8"));
  if (!Array.isArray(docs)) return [];
  return docs.map((d) => d.toJS() as unknown).filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null);
}

function pick<T>(rel: string, kind: string, name?: string): T {
  const all = loadDocs(rel).filter((d) => d.kind === kind);
  const found = name === undefined ? all : all.filter((d) => (d.metadata as { name?: string } | undefined)?.name === name);
  if (found.length !== 1) throw new Error(`${rel}: expected one ${kind}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0] as T;
}

/** The VirtualService of a fixture file (by name when the file has several). */
export function loadVs(rel: string, name?: string): VirtualService {
  return pick<VirtualService>(rel, "VirtualService", name);
}

/** The DestinationRule of a fixture file (by name when the file has several). */
export function loadDr(rel: string, name?: string): DestinationRule {
  return pick<DestinationRule>(rel, "DestinationRule", name);
}
