import { describe, expect, it } from "vitest";
import { CliError } from "../lib/errors.js";
import { memoryStore, scriptRelease, T0, toFirstStep, toPromoted } from "../lib/fixtures.test-util.js";
import { runStatus } from "./status.js";

const opts = { json: false, color: false, all: false };

function world() {
  const live = scriptRelease();
  toFirstStep(live);
  const old = scriptRelease({ version: "v1.0.5", now: T0 - 3 * 86_400_000 });
  toPromoted(old, toFirstStep(old, T0 - 3 * 86_400_000));
  const provisioning = scriptRelease({ version: "v1.2.0", now: T0 + 30_000 });
  return { live, old, provisioning, store: memoryStore([live, old, provisioning]) };
}

describe("runStatus", () => {
  it("lists live and recent releases, newest first, and says how many older ones are hidden", async () => {
    const { store } = world();
    const out = await runStatus(opts, { store, now: T0 + 90_000 });
    expect(out.code).toBe(0);
    expect(out.stdout.split("\n")).toEqual([
      "RELEASE              STATE           STEP  WEIGHT  LAST VERDICT  AGE",
      "shop/ratings/v1.2.0  provisioning    -     0%      -             1m",
      "shop/ratings/v1.1.0  step.analyzing  1/3   10%     -             1m",
      "1 release finished more than a day ago not shown; add --all",
      "",
    ]);
  });

  it("--all includes old finished releases", async () => {
    const { store } = world();
    const out = await runStatus({ ...opts, all: true }, { store, now: T0 + 90_000 });
    expect(out.stdout).toMatch(/shop\/ratings\/v1\.0\.5 +promoted +3\/3 +100% +pass \(1\) +3d/);
  });

  it("--json prints the views (no audit) as an array", async () => {
    const { store } = world();
    const out = await runStatus({ ...opts, json: true }, { store, now: T0 + 90_000 });
    const parsed = JSON.parse(out.stdout) as Array<Record<string, unknown>>;
    expect(parsed.map((v) => [v.releaseId, v.state, v.step, v.steps, v.weight])).toEqual([
      ["shop/ratings/v1.2.0", "provisioning", null, 3, 0],
      ["shop/ratings/v1.1.0", "step.analyzing", 0, 3, 10],
    ]);
    expect(parsed[0]).not.toHaveProperty("audit");
  });

  it("one release by id: detail and timeline; --json adds the timeline", async () => {
    const { store } = world();
    const out = await runStatus({ ...opts, ref: "shop/ratings/v1.1.0" }, { store, now: T0 + 90_000 });
    expect(out.stdout).toContain("State      step.analyzing   step 1/3   [██░░░░░░░░░░░░░░░░░░]  10%");
    expect(out.stdout).toMatch(/2026-03-01 12:00:03Z {2}step\.shifting → step\.analyzing +- +baking step 1 at 10 %/);
    const json = JSON.parse((await runStatus({ ...opts, json: true, ref: "shop/ratings/v1.1.0" }, { store, now: T0 })).stdout) as { timeline: Array<{ to: string }> };
    expect(json.timeline.map((a) => a.to)).toEqual(["provisioning", "awaitingCanaryReady", "step.shifting", "step.analyzing"]);
  });

  it("a rollout shows its live release and names the others", async () => {
    const { store } = world();
    const out = await runStatus({ ...opts, ref: "shop/ratings" }, { store, now: T0 + 90_000 });
    expect(out.stdout).toContain("Release    shop/ratings/v1.2.0");
    expect(out.stdout).toContain("other releases of shop/ratings: shop/ratings/v1.1.0 (step.analyzing), shop/ratings/v1.0.5 (promoted)");
  });

  it("an unknown release names it and how to list releases; a bad id is a usage error", async () => {
    const { store } = world();
    await expect(runStatus({ ...opts, ref: "shop/ratings/v9" }, { store, now: T0 })).rejects.toThrow(
      "release shop/ratings/v9 not found in KV bucket siskin-releases; list the releases with: siskin status",
    );
    await expect(runStatus({ ...opts, ref: "shop/nothing" }, { store, now: T0 })).rejects.toThrow("rollout shop/nothing has no release");
    const bad = await runStatus({ ...opts, ref: "Not An Id" }, { store, now: T0 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CliError);
    expect(bad).toMatchObject({ exitCode: 2 });
  });

  it("an empty bucket says how to start a release", async () => {
    const out = await runStatus(opts, { store: memoryStore({}), now: T0 });
    expect(out.stdout).toBe("no live or recent releases (none stored yet; start one with: siskin release <ns/rollout> <version>)\n");
  });
});
