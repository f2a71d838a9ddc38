/**
 * The BookInfo story end to end, in one world (each release starts from the stable version the one
 * before left): v2.0.0 promoted after a Slack approval, v2.1.0 rolled back by the alert, v2.2.0 by the
 * counted latency path, v2.3.0 held by a live migration of the stable VM and then promoted. Each
 * asserts the outcome, the VirtualService weights history, the audit history and the Slack thread.
 * No sleeps: the player and waitFor wait on events with bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookinfoStories } from "../../sim/cli/demo/stories.js";
import { waitFor } from "../harness/index.js";
import { startE2eWorld, type E2eWorld } from "./world.test-util.js";

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const story = (tag: string) => {
  const s = bookinfoStories.find((x) => x.tag === tag);
  if (s === undefined) throw new Error(`no story ${tag}`);
  return s;
};
const states = (audit: Array<{ to: string }>) => audit.map((a) => a.to);

describe("BookInfo ratings on KubeVirt VMs", () => {
  it("v2.0.0: 10 → 50 → Slack approval → 100 %, promoted; v1's VM stopped after the rollback window", async () => {
    const r = await w.play(story("v2.0.0"));
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ outcome: "promoted", approvedBy: ["oncall"], stableStopped: true, weights: [10, 50, 100] });
    expect(w.weightsOf("v2.0.0")).toEqual([10, 50, 100]);
    expect(w.weightsOf("v1")).toEqual([100, 90, 50, 0]);

    const audit = await w.audit(r.releaseId);
    expect(states(audit)).toEqual(expect.arrayContaining(["provisioning", "awaitingCanaryReady", "step.awaitingApproval", "finalizing", "succeeded"]));
    const approval = audit.find((a) => a.from === "step.awaitingApproval");
    expect(approval).toMatchObject({ event: "evt.approval.granted", actor: { kind: "slack", id: "U0ONCALL1" } });
    expect(audit.map((a) => a.seq)).toEqual([...audit.keys()].map((i) => (audit[0]?.seq ?? 0) + i));

    const thread = await waitFor(() => {
      const t = w.thread("v2.0.0");
      return t.some((m) => /Release promoted/.test(m)) ? t : undefined;
    }, { timeoutMs: 10_000, what: "the promotion in the release's Slack thread" });
    expect(thread.some((m) => /Approved by <@U0ONCALL1>/.test(m))).toBe(true);
    const vm = w.world.cluster.store.get("vm", "bookinfo", "ratings-v1") as unknown as { spec: { runStrategy: string } };
    expect(vm.spec.runStrategy).toBe("Halted");
  }, 120_000);

  it("v2.1.0: 5xx from the 50 % step; SiskinCanaryHighErrorRate rolls it back within seconds", async () => {
    const r = await w.play(story("v2.1.0"));
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe("rolledBack");
    expect(r.reason).toMatch(/alert SiskinCanaryHighErrorRate/);
    expect(r.reactionMs).toBeLessThan(20_000);
    expect(w.weightsOf("v2.1.0")).toEqual([10, 50, 0]);
    expect(w.weightsOf("v2.0.0").slice(-3)).toEqual([90, 50, 100]);
    const audit = await w.audit(r.releaseId);
    expect(audit.find((a) => a.to === "rollingBack")).toMatchObject({ event: "evt.alert.fired" });
    expect(states(audit).at(-1)).toBe("rolledBack");
    const thread = await waitFor(() => {
      const t = w.thread("v2.1.0");
      return t.some((m) => /Release rolledBack/.test(m)) ? t : undefined;
    }, { timeoutMs: 10_000, what: "the rollback in the release's Slack thread" });
    expect(thread.join("\n")).toMatch(/SiskinCanaryHighErrorRate/);
  }, 120_000);

  it("v2.2.0: p99 latency 3× stable's; two failed intervals roll it back (the counted path)", async () => {
    const r = await w.play(story("v2.2.0"));
    expect(r.problems).toEqual([]);
    expect(r.reason).toMatch(/consecutive failed intervals.*latency-p99/);
    expect(w.weightsOf("v2.2.0")).toEqual([10, 0]);
    const audit = await w.audit(r.releaseId);
    expect(audit.find((a) => a.to === "rollingBack")).toMatchObject({ event: "evt.analysis.completed" });
    const template = (w.world.cluster.store.get("vmrollouts.siskin.dev", "bookinfo", "ratings") as unknown as { spec: { vmTemplate: { metadata: { annotations: Record<string, string> } } } }).spec.vmTemplate.metadata.annotations;
    expect(template["sim.siskin.dev/latency-p99-ms"]).toBeUndefined();
    await waitFor(() => w.thread("v2.2.0").some((m) => /latency-p99/.test(m)), { timeoutMs: 10_000, what: "the latency verdict in the Slack thread" });
  }, 120_000);

  it("v2.3.0: the stable VM live-migrates; weights held (not rolled back), then promoted", async () => {
    const r = await w.play(story("v2.3.0"));
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ outcome: "promoted", held: true, stableBefore: "v2.0.0" });
    expect(w.weightsOf("v2.3.0")).toEqual([10, 50, 100]);
    const migrated = w.world.cluster.store.list("vmim", "bookinfo");
    expect(migrated).toHaveLength(1);
    expect((migrated[0] as unknown as { status: { phase: string } }).status.phase).toBe("Succeeded");
    const audit = await w.audit(r.releaseId);
    expect(states(audit)).not.toContain("rollingBack");
    expect(states(audit).at(-1)).toBe("succeeded");
    // The bake of step 1 lasted past the migration: the 50 % shift came after the migration ended.
    const moved = r.progress.find((p) => p.kind === "traffic" && /canary 50 %/.test(p.text));
    const ended = r.progress.find((p) => p.kind === "vm" && /migration .* completed/.test(p.text));
    expect(moved !== undefined && ended !== undefined && moved.atMs > ended.atMs).toBe(true);
  }, 120_000);

  it("v2.4.0: mirrored 100 % first; the mirror's p99 is 3× stable's; rolled back before any user request reached it", async () => {
    const r = await w.play(story("v2.4.0"));
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe("rolledBack");
    expect(r.reason).toMatch(/latency-p99/);
    // The VirtualService history: a mirror of 100 % to the canary, then none; the canary's weight never above 0.
    expect(w.mirrorsOf("v2.4.0")).toEqual([100, 0]);
    const history = w.routeHistory();
    const during = history.filter((h) => h.mirror?.subset === "v2.4.0");
    expect(during.length).toBeGreaterThan(0);
    expect(Math.max(0, ...history.map((h) => h.weights["v2.4.0"] ?? 0))).toBe(0);
    for (const h of during) expect(h.weights[r.stableBefore]).toBe(100);
    expect(r.weights.every((x) => x === 0)).toBe(true);
    // The mesh: copies reached the canary VM; no user was answered by it.
    const counts = w.world.mesh.snapshot()["bookinfo/ratings"];
    expect(counts?.byVersion["v2.4.0"] ?? 0).toBe(0);
    expect(counts?.mirroredByVersion?.["v2.4.0"] ?? 0).toBeGreaterThan(0);
    const audit = await w.audit(r.releaseId);
    expect(audit.find((a) => a.to === "rollingBack")).toMatchObject({ event: "evt.analysis.completed" });
    expect(audit.some((a) => /mirror 100 %/.test(a.reason))).toBe(true);
    // The rollout's own steps are back once the story is over.
    const steps = (w.world.cluster.store.get("vmrollouts.siskin.dev", "bookinfo", "ratings") as unknown as { spec: { steps: unknown[] } }).spec.steps;
    expect(steps).toEqual([{ weight: 10 }, { weight: 50 }, { weight: 100, approval: { timeoutSeconds: 600, onTimeout: "reject" } }]);
  }, 120_000);
});

