// `tsx scripts/render-namespaced.ts <dir> <namespace>...`: write a namespaced-install overlay (see
// scripts/lib/k8s/namespaced.ts) into <dir>, over infra/k8s/base; apply it with `kubectl apply -k <dir>`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { renderNamespacedOverlay } from "./lib/k8s/namespaced.js";

const [dir, ...namespaces] = process.argv.slice(2);
if (dir === undefined || namespaces.length === 0) {
  process.stderr.write("usage: tsx scripts/render-namespaced.ts <dir> <namespace>...\n");
  process.exit(2);
}
const base = relative(resolve(dir), resolve(import.meta.dirname, "..", "infra", "k8s", "base"));
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(renderNamespacedOverlay(namespaces, base))) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${dir} for ${namespaces.join(", ")}\n`);
