/**
 * `npm run bench -- [name...] [--quick] [--out <dir>]`: run Siskin's benchmarks (all when no name
 * is given). Each prints its tables and writes `bench/results/<name>.json`.
 */
import { fileURLToPath } from "node:url";
import { benchmarks } from "./suite.js";
import { runBenchmarks } from "./lib/runner.js";

function usage(): string {
  const names = benchmarks.map((b) => `  ${b.name.padEnd(16)} ${b.title}`).join("\n");
  return `usage: npm run bench -- [name...] [--quick] [--out <dir>]\n\nbenchmarks:\n${names}\n`;
}

const args = process.argv.slice(2);
let quick = false;
let outDir = fileURLToPath(new URL("./results/", import.meta.url));
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === "--quick") quick = true;
  else if (a === "--out") outDir = args[++i] ?? outDir;
  else if (a === "--help" || a === "-h") {
    process.stdout.write(usage());
    process.exit(0);
  } else names.push(a);
}
const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(", ")}\n${usage()}`);
  process.exit(2);
}
const selected = names.length === 0 ? benchmarks : benchmarks.filter((b) => names.includes(b.name));
const t0 = performance.now();
const { failed } = await runBenchmarks(selected, { quick, outDir });
process.stderr.write(`[bench] done in ${((performance.now() - t0) / 1000).toFixed(1)} s${failed.length > 0 ? `; failed: ${failed.map((f) => f.name).join(", ")}` : ""}\n`);
process.exit(failed.length > 0 ? 1 : 0);
