// `siskin status` against a real nats-server whose releases bucket holds what the orchestrator wrote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../harness/index.js";
import { scriptRelease, toFirstStep, toPromoted } from "../../services/cli/lib/fixtures.test-util.js";
import { cliWorld, runCli, type CliWorld } from "./cli.test-util.js";

let world: CliWorld;
const now = Date.now();

beforeAll(async () => {
  world = await cliWorld();
  const live = scriptRelease({ now: now - 120_000 });
  toFirstStep(live, now - 120_000);
  const done = scriptRelease({ version: "v1.0.9", now: now - 3600_000 });
  toPromoted(done, toFirstStep(done, now - 3600_000));
  await world.save(live);
  await world.save(done);
});
afterAll(async () => {
  await world?.stop();
});

// Each run starts the real CLI (tsx, cold): seconds apiece on a loaded machine.
describe("siskin status", { timeout: 300_000 }, () => {
  it("lists the releases as a table", async () => {
    const res = await runCli(["status", "--nats", world.srv.url]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("RELEASE              STATE           STEP  WEIGHT  LAST VERDICT  AGE");
    expect(lines[1]).toMatch(/^shop\/ratings\/v1\.1\.0 {2}step\.analyzing {2}1\/3 {3}10% {5}- {13}2m$/);
    expect(lines[2]).toMatch(/^shop\/ratings\/v1\.0\.9 {2}promoted {8}3\/3 {3}100% {4}pass \(1\) {6}1h$/);
  });

  it("shows one release with its timeline (global options after the command, and SISKIN_NATS_SERVERS)", async () => {
    const res = await runCli(["status", "shop/ratings/v1.0.9", "--no-color"], { env: { SISKIN_NATS_SERVERS: world.srv.url } });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("State      promoted   step 3/3   [████████████████████] 100%");
    expect(res.stdout).toMatch(/Timeline\n {2}TIME +TRANSITION +BY +REASON\n {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}new → provisioning +github:octocat +provisioning VirtualMachine ratings-v1-0-9 for v1\.0\.9\n/);
    expect(res.stdout).toMatch(/finalizing → succeeded +- +v1\.0\.9 promoted; rollback window passed; stopping v1\.0\.0; keeping v1\.0\.9 and v1\.0\.0 \(revisionHistoryLimit 2\), removing older versions' routes, subsets and VMs\n/);
  });

  it("--json gives the release and its timeline", async () => {
    const res = await runCli(["--json", "--nats", world.srv.url, "status", "shop/ratings/v1.1.0"]);
    expect(res.code).toBe(0);
    const body = JSON.parse(res.stdout) as { releaseId: string; state: string; weight: number; timeline: Array<{ to: string; at: number }> };
    expect(body).toMatchObject({ releaseId: "shop/ratings/v1.1.0", state: "step.analyzing", weight: 10 });
    expect(body.timeline.map((a) => a.to)).toEqual(["provisioning", "awaitingCanaryReady", "step.shifting", "step.analyzing"]);
  });

  it("an unknown release exits 1 naming it and `siskin status`; a malformed one exits 2", async () => {
    const [res, bad] = await Promise.all([runCli(["status", "shop/ratings/v7.0.0", "--nats", world.srv.url]), runCli(["status", "Shop Ratings", "--nats", world.srv.url])]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toBe("siskin: release shop/ratings/v7.0.0 not found in KV bucket siskin-releases; list the releases with: siskin status\n");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"Shop Ratings" is not a release id');
  });

  it("no NATS: exits 1 naming the URL and how to start the world", async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const res = await runCli(["status", "--nats", url]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^siskin: cannot connect to NATS at ${url.replace(/[.]/g, "\\.")}: .+; start the local world with \`npm run demo -- --keep\` \\(or \`siskin sim up\`\\)`));
  });
});
