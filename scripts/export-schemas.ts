// Writes the JSON Schemas of the contract and the VMRollout CRD (see scripts/lib/exports.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderExports } from "./lib/exports.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const [path, content] of Object.entries(renderExports())) {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  process.stdout.write(`wrote ${path}\n`);
}
