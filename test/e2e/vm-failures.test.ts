/**
 * When the canary VM or an operator ends a release early, end to end in one world: a VM that never
 * becomes Ready is rolled back at the progress deadline, a canary VMI that crashes mid-step is rolled
 * back at once, and an operator's abort (cmd.orchestrator.control, as `siskin abort` sends it) ends
 * the release as aborted with traffic back on stable. Each asserts the outcome, the weights history,
 * the audit history and the Slack thread. No sleeps: events with bounded waits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Command, Event } from "../../schemas/subjects.js";
import { createPublisher } from "../../services/runtime/index.js";
import { waitFor } from "../harness/index.js";
import { startE2eWorld, type E2eWorld } from "./world.test-util.js";

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const threadSays = (version: string, re: RegExp, what: string) =>
  waitFor(() => {
    const t = w.thread(version);
    return t.some((m) => re.test(m)) ? t : undefined;
  }, { timeoutMs: 10_000, what });

describe("canary VM failures and operator abort", () => {
  it("a VM that never becomes Ready is rolled back at the progress deadline, with the reason", async () => {
    w.patchRollout({ progressDeadlineSeconds: 10 });
    try {
      const r = await w.play({ tag: "v3.0.0", title: "never Ready", expect: "rolledBack", templateAnnotations: { "sim.siskin.dev/never-ready": "true" } });
      expect(r.problems).toEqual([]);
      expect(r.reason).toMatch(/deadline/i);
      expect(r.reason).toMatch(/Ready/);
      expect(r.durationMs).toBeGreaterThanOrEqual(10_000);
      expect(r.weights).toEqual([]);
      expect(w.weightsOf("v3.0.0")).toEqual([]);
      const audit = await w.audit(r.releaseId);
      expect(audit.map((a) => a.to)).toEqual(expect.arrayContaining(["provisioning", "awaitingCanaryReady", "rolledBack"]));
      expect(audit.find((a) => a.from === "awaitingCanaryReady")?.reason).toMatch(/deadline/i);
      await threadSays("v3.0.0", /Release rolledBack/, "the rollback in the Slack thread");
      const vmi = w.world.cluster.store.get("vm", "bookinfo", "ratings-v3-0-0") as unknown as { spec: { runStrategy: string } } | undefined;
      expect(vmi?.spec.runStrategy ?? "Halted").toBe("Halted");
    } finally {
      w.patchRollout({ progressDeadlineSeconds: 60 });
    }
  }, 90_000);

  it("a canary VMI that crashes mid-step is rolled back at once (fast path)", async () => {
    const r = await w.play({
      tag: "v3.1.0",
      title: "crash",
      expect: "rolledBack",
      maxReactionMs: 10_000,
      fault: { kind: "canaryAnnotations", atWeight: 10, annotations: { "sim.siskin.dev/crash-now": "true" }, label: "the canary VMI crashes" },
    });
    expect(r.problems).toEqual([]);
    expect(r.reason).toMatch(/crash|Failed/i);
    expect(w.weightsOf("v3.1.0")).toEqual([10, 0]);
    const audit = await w.audit(r.releaseId);
    const rollback = audit.find((a) => a.to === "rollingBack");
    expect(rollback?.event).toMatch(/^evt\.vm\.(crashed|phase_changed|ready_changed|deleted)$/);
    await threadSays("v3.1.0", /Release rolledBack/, "the rollback in the Slack thread");
  }, 90_000);

  it("an operator's abort rolls the release back and ends it as aborted, naming who", async () => {
    const operator = createPublisher(w.nc, { source: "e2e-operator" });
    const releaseId = "bookinfo/ratings/v3.2.0";
    let sent: Promise<unknown> | undefined;
    const off = w.ports.feed.subscribe((m) => {
      if (sent !== undefined || m.releaseId !== releaseId || m.type !== Event.trafficWeightsSet) return;
      sent = operator.publish(Command.orchestratorControl, {
        id: `e2e-abort:${releaseId}`,
        releaseId,
        data: { action: "abort", actor: { kind: "cli", id: "alice", name: "alice" }, reason: "e2e: abort while at 10 %" },
      });
    });
    try {
      const r = await w.play({ tag: "v3.2.0", title: "abort", expect: "aborted" });
      await sent;
      expect(r.problems).toEqual([]);
      expect(r.reason).toMatch(/abort/i);
      expect(w.weightsOf("v3.2.0")).toEqual([10, 0]);
      const audit = await w.audit(r.releaseId);
      const abort = audit.find((a) => a.event === Command.orchestratorControl);
      expect(abort).toMatchObject({ to: "rollingBack", actor: { kind: "cli", id: "alice" } });
      expect(audit.at(-1)?.to).toBe("aborted");
      await threadSays("v3.2.0", /abort/i, "the abort in the Slack thread");
      expect(w.weightsOf("v1").at(-1)).toBe(100);
    } finally {
      off();
    }
  }, 90_000);
});
