/**
 * `npm run soak [-- --quick] [--seed n] [--releases n] [--services n] [--no-baseline] [--keep]`: the chaos
 * soak. Runs the seeded script once without chaos (the baseline of time to decision), then again under
 * chaos, judges both, writes out/soak-report.json, prints the table, and exits 0 only when nothing was
 * lost, wrong or duplicated and no invariant broke.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ChaosOptions } from "./chaos.js";
import type { DecisionBound } from "./invariants.js";
import { buildReport, reportTable } from "./report.js";
import { runSoak, type SoakJetStream } from "./run.js";

/** The sizes and schedules of `--quick` and the full run. */
export interface SoakPreset {
  releases: number;
  services: number;
  releaseTimeoutMs: number;
  chaos: Omit<ChaosOptions, "seed">;
}

const apiFaults = { errorRate: 0.05, conflictRate: 0.05, slowRate: 0.05, slowMs: 300 };
const slack429 = { atMs: 15_000, times: 8, retryAfterSec: 2, methods: ["chat.postMessage", "chat.update"] };

export const presets: Record<"quick" | "full", SoakPreset> = {
  quick: {
    releases: 30,
    services: 6,
    releaseTimeoutMs: 240_000,
    chaos: {
      killEveryMs: [3_000, 6_000],
      restartAfterMs: [500, 3_000],
      nats: { count: 1, firstAtMs: 25_000, everyMs: 60_000, downMs: 8_000 },
      api: apiFaults,
      watchCutEveryMs: 15_000,
      goneEveryMs: 35_000,
      prometheusOutage: { atMs: 40_000, forMs: 6_000 },
      slack429,
    },
  },
  full: {
    releases: 200,
    services: 20,
    releaseTimeoutMs: 300_000,
    chaos: {
      killEveryMs: [3_000, 6_000],
      restartAfterMs: [500, 3_000],
      nats: { count: 4, firstAtMs: 30_000, everyMs: 70_000, downMs: 10_000 },
      api: apiFaults,
      watchCutEveryMs: 15_000,
      goneEveryMs: 35_000,
      prometheusOutage: { atMs: 60_000, forMs: 6_000 },
      slack429,
    },
  },
};

/** What the soak provisions (docs/install.md recommends the same for a cluster). */
export const soakJetStream: SoakJetStream = { replicas: 3, ackWaitMs: 10_000, maxDeliver: 20 };

/** Chaos time to decision may be this much above the same release's no-chaos time. */
export const decisionBound: DecisionBound = { factor: 2, plusMs: 60_000 };

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      seed: { type: "string", default: "17" },
      releases: { type: "string" },
      services: { type: "string" },
      "no-baseline": { type: "boolean", default: false },
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

  let baseline;
  if (!values["no-baseline"]) {
    say(`== no-chaos run: ${releases} releases, ${services} services, seed ${seed}`);
    baseline = await runSoak({ ...common, dataDir: join(dataRoot, "no-chaos") });
    say(`no-chaos run: ${baseline.check.asExpected}/${baseline.script.length} as expected in ${(baseline.durationMs / 1000).toFixed(0)} s`);
  }
  say(`== chaos run: ${releases} releases, ${services} services, seed ${seed}`);
  const chaos = await runSoak({
    ...common,
    dataDir: join(dataRoot, "chaos"),
    chaos: { seed, ...preset.chaos },
    ...(baseline === undefined ? {} : { baseline: { decisions: baseline.decisions, bound: decisionBound } }),
  });
  const report = buildReport(custom ? "custom" : mode, seed, services, chaos, baseline, baseline === undefined ? undefined : decisionBound);
  mkdirSync(resolve(values.out, ".."), { recursive: true });
  writeFileSync(resolve(values.out), `${JSON.stringify(report, null, 2)}\n`);
  for (const l of reportTable(report)) process.stdout.write(`${l}\n`);
  process.stdout.write(`report: ${resolve(values.out)}\n`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
