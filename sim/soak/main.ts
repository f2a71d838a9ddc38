/**
 * `npm run soak [-- --quick] [--seed n] [--releases n] [--services n] [--no-baseline] [--keep]`: the chaos
 * soak. Runs the seeded script once without chaos (the baseline of time to decision), then again under
 * chaos, judges both, writes out/soak-report.json, prints the table, and exits 0 only when nothing was
 * lost, wrong or duplicated and no invariant broke.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { decisionBound, presets, soakJetStream } from "./presets.js";
import { buildReport, reportTable } from "./report.js";
import { runSoak } from "./run.js";

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      seed: { type: "string", default: "17" },
      releases: { type: "string" },
      services: { type: "string" },
      "no-baseline": { type: "boolean", default: false },
      "all-in-one": { type: "string" },
      keep: { type: "boolean", default: false },
      out: { type: "string", default: "out/soak-report.json" },
    },
  });
  const mode = values.quick ? "quick" : "full";
  const preset = presets[mode];
  const seed = Number(values.seed);
  const releases = values.releases === undefined ? preset.releases : Number(values.releases);
  const services = values.services === undefined ? preset.services : Number(values.services);
  if (![seed, releases, services].every((n) => Number.isInteger(n) && n > 0)) throw new Error("soak: --seed, --releases and --services take positive integers");
  const custom = values.releases !== undefined || values.services !== undefined;
  const dataRoot = resolve("out/soak");
  const say = (l: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
  const common = { seed, releases, services, jetstream: soakJetStream, releaseTimeoutMs: preset.releaseTimeoutMs, keepData: values.keep, log: say };

  const result = await runSoak({
    ...common,
    dataDir: join(dataRoot, "run"),
    chaos: { seed, ...preset.chaos },
    ...(values["no-baseline"] ? {} : { baseline: { bound: decisionBound } }),
    ...(values["all-in-one"] === undefined ? {} : { allInOne: Number(values["all-in-one"]) }),
  });
  const report = buildReport(custom ? "custom" : mode, seed, services, result, values["no-baseline"] ? undefined : decisionBound);
  mkdirSync(resolve(values.out, ".."), { recursive: true });
  writeFileSync(resolve(values.out), `${JSON.stringify(report, null, 2)}\n`);
  for (const l of reportTable(report)) process.stdout.write(`${l}\n`);
  process.stdout.write(`report: ${resolve(values.out)}\n`);
  return report.ok ? 0 : 1;
}

// A signal ends the run through process.exit, so the exit hooks SIGKILL every child (servers, workers).
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
