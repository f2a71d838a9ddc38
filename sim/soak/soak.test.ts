// The chaos soak, small and seeded, so a regression in durability is caught in CI: a real 3-node
// JetStream cluster (R3 from SISKIN_JETSTREAM_REPLICAS via `siskin provision`), two `siskin serve`
// processes each running every worker, five releases of five kinds over three services, while
// processes are SIGKILLed, a NATS node is killed and restarted, and the API, Prometheus and Slack
// misbehave. Nothing may be lost, wrong or done twice. (`npm run soak -- --quick` is the larger run.)
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soakJetStream } from "./presets.js";
import { buildReport } from "./report.js";
import { runSoak } from "./run.js";

describe("chaos soak (small)", () => {
  it("loses, breaks and duplicates nothing under worker kills, a NATS node restart and API faults", async () => {
    const lines: string[] = [];
    const result = await runSoak({
      dataDir: join(tmpdir(), `siskin-soak-test-${process.pid}`),
      seed: 5,
      releases: 5,
      services: 3,
      allInOne: 2,
      jetstream: soakJetStream,
      releaseTimeoutMs: 150_000,
      log: (l) => lines.push(l),
      chaos: {
        seed: 5,
        killEveryMs: [6_000, 10_000],
        restartAfterMs: [500, 2_000],
        nats: { count: 1, firstAtMs: 8_000, everyMs: 60_000, downMs: 5_000 },
        api: { errorRate: 0.05, conflictRate: 0.05, slowRate: 0.05, slowMs: 200 },
        watchCutEveryMs: 10_000,
        goneEveryMs: 20_000,
        prometheusOutage: { atMs: 15_000, forMs: 4_000 },
        slack429: { atMs: 5_000, times: 4, retryAfterSec: 1, methods: ["chat.postMessage", "chat.update"] },
      },
    });
    const report = buildReport("custom", 5, 3, result, undefined);
    const detail = JSON.stringify(report.details, null, 1) + "\n" + lines.join("\n");
    expect(report.releases, detail).toBe(5);
    expect({ lost: report.lost, wrong: report.wrong, duplicatedEffects: report.duplicatedEffects, violations: report.violations }, detail).toEqual({
      lost: 0,
      wrong: 0,
      duplicatedEffects: 0,
      violations: 0,
    });
    expect(report.asExpected).toBe(5);
    expect(report.workerKills, detail).toBeGreaterThanOrEqual(2);
    expect(report.natsRestarts, detail).toBe(1);
    expect(report.apiFaults, detail).toBeGreaterThan(0);
  }, 240_000);
});
