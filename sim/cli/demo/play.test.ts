// The player against fake ports: the fake world answers the tag push, the on-call's click and the
// injected fault with the events Siskin would publish; the player records, approves, injects, judges.
import { describe, expect, it } from "vitest";
import { message, type MessageOf } from "../../../schemas/codec.js";
import { Event, type Subject } from "../../../schemas/subjects.js";
import { APPROVE_ACTION, playStory } from "./play.js";
import type { DemoPorts, SlackMessage } from "./ports.js";
import { bookinfoRollout, bookinfoStories } from "./stories.js";

type Draft = { subject: Subject; data: unknown; releaseId?: string };

function fakeWorld(script: (w: { emit(d: Draft): void; on: Record<string, () => void> }) => void) {
  const listeners = new Set<(m: MessageOf<Subject>) => void>();
  const slack: SlackMessage[] = [];
  const calls: string[] = [];
  let n = 0;
  let clock = 1_000_000;
  const on: Record<string, () => void> = {};
  const emit = (d: Draft) => {
    clock += 500;
    const m = message(d.subject, { id: `e${++n}`, occurredAt: new Date(clock).toISOString(), releaseId: d.releaseId, data: d.data as never } as never) as MessageOf<Subject>;
    for (const fn of listeners) fn(m);
  };
  script({ emit, on });
  const ports: DemoPorts = {
    clock: () => clock,
    feed: { subscribe: (fn) => (listeners.add(fn), () => listeners.delete(fn)), close: async () => {} },
    git: {
      async pushTag(repo, tag) {
        calls.push(`push ${repo} ${tag}`);
        queueMicrotask(() => on["push"]?.());
        return { status: 202, body: { accepted: [{ releaseId: `bookinfo/ratings/${tag}` }] } };
      },
    },
    slack: {
      messages: async () => slack,
      async click(c) {
        calls.push(`click ${c.ts} ${c.actionId} ${c.user.id}`);
        on["click"]?.();
      },
    },
    kube: {
      rollout: async () => ({ stableVersion: "v1", steps: 3, analysisSeconds: 5, rollbackWindowSeconds: 10 }),
      async patchTemplateAnnotations(_ns, _n, a) {
        calls.push(`template ${JSON.stringify(a)}`);
      },
      async replaceSteps(_ns, _n, steps) {
        calls.push(`steps ${JSON.stringify(steps ?? null)}`);
        return [{ weight: 10 }, { weight: 50 }, { weight: 100 }];
      },
      async patchVmiAnnotations(_ns, vmi, a) {
        calls.push(`vmi ${vmi} ${JSON.stringify(a)}`);
        on["fault"]?.();
      },
      listVmis: async () => [],
      migrate: async () => "m",
      vmStopped: async (_ns, vm) => (calls.push(`stopped? ${vm}`), true),
    },
  };
  return { ports, slack, calls };
}

const ctx = (ports: DemoPorts) => ({ ports, rollout: bookinfoRollout, onCall: { id: "U0ONCALL1", name: "oncall" }, timeoutMs: 5_000, slackSeen: new Map<string, number>() });
const progressed = (releaseId: string, to: string, weight: number, reason: string) => ({ subject: Event.releaseProgressed, releaseId, data: { from: "x", to, event: "tick", reason, weight, seq: 1 } });
const weights = (releaseId: string, w: number) => ({ subject: Event.trafficWeightsSet, releaseId, data: { canaryWeight: w, routes: [], resourceVersion: "1", attempts: 1 } });

describe("playStory", () => {
  it("v2.0.0: the on-call approves the gated step in Slack; promoted; v1's VM checked stopped", async () => {
    const id = "bookinfo/ratings/v2.0.0";
    const { ports, slack, calls } = fakeWorld(({ emit, on }) => {
      on["push"] = () => {
        emit(weights(id, 10));
        emit(progressed(id, "step.analyzing", 10, "baking step 1"));
        emit(weights(id, 50));
        slack.push({ channel: "C0RELEASES", ts: "1.1", text: "Approval needed: bookinfo/ratings v2.0.0", blocks: [{ type: "actions", elements: [{ action_id: APPROVE_ACTION }] }], history: [] });
      };
      on["click"] = () => {
        emit({ subject: Event.approvalGranted, releaseId: id, data: { requestId: "2-1", actor: { kind: "slack", id: "U0ONCALL1", name: "oncall" }, at: 1 } });
        emit(weights(id, 100));
        emit(progressed(id, "finalizing", 100, "promoted"));
        emit({ subject: Event.releaseCompleted, releaseId: id, data: { outcome: "promoted", reason: "v2.0.0 promoted", durationMs: 1, approvedBy: [{ kind: "slack", id: "U0ONCALL1", name: "oncall" }] } });
      };
    });
    const r = await playStory(bookinfoStories[0]!, ctx(ports));
    expect(calls).toEqual(["push bookinfo/ratings v2.0.0", "click 1.1 siskin_approval_approve U0ONCALL1", "stopped? ratings-v1", "stopped? ratings-v1"]);
    expect(r).toMatchObject({ outcome: "promoted", ok: true, problems: [], approvedBy: ["oncall"], weights: [10, 50, 100], stableStopped: true, stableBefore: "v1" });
    expect(r.decidedAfterMs).toBeGreaterThan(0);
    expect(r.progress.map((p) => p.kind)).toContain("slack");
  });

  it("v2.1.0: the fault goes on the canary VMI at 50 %; the rollback's reaction time is measured", async () => {
    const id = "bookinfo/ratings/v2.1.0";
    const { ports, calls } = fakeWorld(({ emit, on }) => {
      on["push"] = () => {
        emit(weights(id, 10));
        emit(weights(id, 50));
      };
      on["fault"] = () =>
        queueMicrotask(() => {
          emit({ subject: Event.alertFired, data: { fingerprint: "f", alertname: "SiskinCanaryHighErrorRate", labels: {}, annotations: { summary: "5xx above 5 %" }, startsAt: "s", rollout: { namespace: "bookinfo", name: "ratings" }, version: "v2.1.0" } });
          emit(progressed(id, "rollingBack", 50, "rolling back"));
          emit({ subject: Event.releaseCompleted, releaseId: id, data: { outcome: "rolledBack", reason: "rolled back to v1: alert SiskinCanaryHighErrorRate firing", durationMs: 1 } });
        });
    });
    const r = await playStory(bookinfoStories[1]!, ctx(ports));
    expect(calls).toContain('vmi ratings-v2-1-0 {"sim.siskin.dev/error-rate":"0.15"}');
    expect(r).toMatchObject({ outcome: "rolledBack", ok: true, reactionMs: 1000 });
    expect(r.progress.find((p) => p.kind === "alert")?.text).toBe("SiskinCanaryHighErrorRate firing: 5xx above 5 %");
  });

  it("v2.2.0: the template annotation is put on for the release and taken off after; a wrong outcome is named", async () => {
    const id = "bookinfo/ratings/v2.2.0";
    const { ports, calls } = fakeWorld(({ emit, on }) => {
      on["push"] = () => emit({ subject: Event.releaseCompleted, releaseId: id, data: { outcome: "promoted", reason: "v2.2.0 promoted", durationMs: 1 } });
    });
    const r = await playStory(bookinfoStories[2]!, ctx(ports));
    expect(calls).toEqual(['template {"sim.siskin.dev/latency-p99-ms":"420"}', "push bookinfo/ratings v2.2.0", 'template {"sim.siskin.dev/latency-p99-ms":null}']);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(["expected rolledBack, got promoted (v2.2.0 promoted)"]);
  });

  it("v2.4.0: the steps start with a mirror for this release only; a canary weight above 0 is a problem", async () => {
    const id = "bookinfo/ratings/v2.4.0";
    const story = bookinfoStories.find((x) => x.tag === "v2.4.0")!;
    const mirrored = { ...weights(id, 0), data: { ...weights(id, 0).data, shape: "mirror:100" } };
    const completed = { subject: Event.releaseCompleted, releaseId: id, data: { outcome: "rolledBack", reason: "rolled back to v2.3.0: 2 consecutive failed intervals: latency-p99 fail", durationMs: 1 } };
    const { ports, calls } = fakeWorld(({ emit, on }) => {
      on["push"] = () => {
        emit(mirrored);
        emit(weights(id, 0));
        emit(completed);
      };
    });
    const r = await playStory(story, ctx(ports));
    expect(calls[0]).toBe('steps [{"mirror":{"percentage":100}},{"weight":10},{"weight":50},{"weight":100}]');
    expect(calls).toContain('steps [{"weight":10},{"weight":50},{"weight":100}]');
    expect(r).toMatchObject({ outcome: "rolledBack", ok: true, weights: [0, 0] });
    expect(r.progress.find((p) => p.kind === "traffic")?.text).toBe("VirtualService ratings: canary 0 %, stable 100 %; 100 % mirrored to the canary (its answers discarded)");

    const leaked = fakeWorld(({ emit, on }) => {
      on["push"] = () => {
        emit(mirrored);
        emit(weights(id, 10));
        emit(completed);
      };
    });
    const bad = await playStory(story, ctx(leaked.ports));
    expect(bad.problems).toEqual(["the canary got 10 % of user traffic (at most 0 %)"]);
  });
});
