import { describe, expect, it } from "vitest";
import { decode, encode, message, type MessageOf } from "../../schemas/codec.js";
import { checkPayload } from "../../schemas/codec.js";
import type { Subject } from "../../schemas/subjects.js";
import { CANARY, NAME, NS, RELEASE_ID, T0, ev, makeRequest, makeSpec, verdict } from "../../workflows/canary/fixtures.test-util.js";
import { AUDIT_LIMIT, applyEvent, inspect, type HostEvent, type StoredRelease } from "./host.js";

let n = 0;
/** A real envelope through the codec, as the orchestrator's consumer would decode it. */
function envelope<S extends Subject>(subject: S, data: MessageOf<S>["data"], releaseId?: string): MessageOf<S> {
  const m = message(subject, { id: `test-${n++}`, occurredAt: new Date(T0).toISOString(), ...(releaseId ? { releaseId } : {}), data });
  return decode(subject, encode(m)) as MessageOf<S>;
}
const requested = () => envelope("evt.release.requested", makeRequest(makeSpec()));
const asHost = (e: { type: string; data?: unknown }, releaseId = RELEASE_ID): HostEvent =>
  envelope(e.type as Subject, e.data as never, releaseId) as unknown as HostEvent;

function started(): StoredRelease {
  return applyEvent(null, requested(), T0).stored;
}

describe("host.applyEvent", () => {
  it("starts a release: provision command, progress, status; msgIds count from 0", () => {
    const r = applyEvent(null, requested(), T0);
    expect(r.state).toBe("provisioning");
    expect(r.commands.map((c) => [c.subject, c.msgId])).toEqual([
      ["cmd.vm.provision", `${RELEASE_ID}:0`],
      ["evt.release.progressed", `${RELEASE_ID}:1`],
      ["cmd.status.write", `${RELEASE_ID}:2`],
    ]);
    expect(r.stored).toMatchObject({ machine: "canary", version: 1, releaseId: RELEASE_ID, seq: 3, auditSeq: 1 });
    expect(r.audit).toEqual([{ seq: 0, event: "evt.release.requested", from: "new", to: "provisioning", reason: expect.stringContaining("provisioning VirtualMachine"), actor: { kind: "github", id: "octocat" }, at: T0 }]);
    // every message is valid for its subject's schema
    for (const c of r.commands) expect(checkPayload(c.subject, c.data)).toEqual([]);
    expect(r.commands[2]?.data).toMatchObject({ rollout: { namespace: NS, name: NAME }, status: { phase: "Progressing", state: "provisioning", canaryVersion: CANARY } });
  });

  it("replaying the same event on the same stored record gives the same msgIds (crash before save)", () => {
    const s = started();
    const e = asHost(ev.provisioned(T0 + 1000));
    const a = applyEvent(s, e, T0 + 1000);
    const b = applyEvent(JSON.parse(JSON.stringify(s)) as StoredRelease, e, T0 + 1000);
    expect(a.commands.map((c) => c.msgId)).toEqual(b.commands.map((c) => c.msgId));
    expect(a.commands.map((c) => c.msgId)).toEqual([`${RELEASE_ID}:3`, `${RELEASE_ID}:4`]);
    expect(a.stored).toEqual(b.stored);
  });

  it("a redelivery after the save returns the outbox again (crash before publishing)", () => {
    const s = started();
    const e = asHost(ev.ready(T0 + 2000));
    const first = applyEvent(s, e, T0 + 2000);
    expect(first.commands.map((c) => c.subject)).toEqual(["cmd.traffic.set_weights", "evt.release.progressed", "cmd.status.write"]);
    const again = applyEvent(first.stored, e, T0 + 2500);
    expect(again).toMatchObject({ redelivered: true, changed: false });
    expect(again.commands).toEqual(first.commands);
    expect(again.stored).toBe(first.stored);
  });

  it("a tick with nothing due changes nothing (no save, no publish)", () => {
    const s = started();
    const r = applyEvent(s, { type: "tick" }, T0 + 5000);
    expect(r).toMatchObject({ changed: false, commands: [], audit: [] });
    expect(r.stored).toBe(s);
  });

  it("a repeated evt.release.requested is a no-op", () => {
    const s = started();
    expect(applyEvent(s, requested(), T0 + 1).changed).toBe(false);
  });

  it("an event for an unknown release is refused", () => {
    expect(() => applyEvent(null, { type: "tick" }, T0)).toThrow(/only evt.release.requested starts a release/);
  });

  it("runs a release to the end: completion event with the outcome and approvers, status Promoted", () => {
    let s = started();
    const steps: Array<[{ type: string; data?: unknown }, number]> = [
      [ev.provisioned(T0 + 1000), T0 + 1000],
      [ev.ready(T0 + 2000), T0 + 2000],
      [ev.weightsSet(T0 + 3000, 10), T0 + 3000],
      [ev.analysis(T0 + 63_000, [verdict.pass()]), T0 + 63_000],
      [ev.weightsSet(T0 + 64_000, 50), T0 + 64_000],
      [ev.analysis(T0 + 124_000, [verdict.pass()]), T0 + 124_000],
      [ev.weightsSet(T0 + 125_000, 100), T0 + 125_000],
      [ev.analysis(T0 + 185_000, [verdict.pass()]), T0 + 185_000],
    ];
    const subjects: string[] = [];
    for (const [e, at] of steps) {
      const r = applyEvent(s, asHost(e), at);
      subjects.push(...r.commands.map((c) => c.subject));
      for (const c of r.commands) expect(checkPayload(c.subject, c.data)).toEqual([]);
      s = r.stored;
    }
    expect(inspect(s).state).toBe("finalizing");
    // the machine wrote the promotion status itself; the host does not write a second one
    expect(subjects.slice(-3)).toEqual(["cmd.status.write", "cmd.analysis.stop", "evt.release.progressed"]);
    expect(subjects.filter((x) => x === "cmd.status.write").length).toBe(subjects.filter((x) => x === "evt.release.progressed").length);
    const end = applyEvent(s, { type: "tick" }, T0 + 185_000 + 300_000);
    expect(end.done).toBe(true);
    expect(end.commands.map((c) => c.subject)).toEqual(["cmd.vm.stop", "cmd.vm.prune", "cmd.traffic.prune", "evt.release.progressed", "cmd.status.write", "evt.release.completed"]);
    expect(end.commands[5]?.data).toEqual({ outcome: "promoted", reason: expect.stringContaining("v1.1.0 promoted"), durationMs: 485_000 });
    expect(end.commands[4]?.data).toMatchObject({ status: { phase: "Promoted", stableVersion: CANARY, conditions: [{ type: "Progressing", status: "False" }, { type: "Ready", status: "True" }, { type: "Degraded", status: "False" }] } });
    // the seq never repeats
    const ids = [...s.audit.map((a) => a.seq)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("records the approver in the audit history and the completion", () => {
    const spec = makeSpec({ steps: [{ weight: 100, approval: { timeoutSeconds: 600, onTimeout: "reject" } }], rollbackWindowSeconds: 0 });
    let s = applyEvent(null, envelope("evt.release.requested", makeRequest(spec)), T0).stored;
    s = applyEvent(s, asHost(ev.ready(T0 + 1000)), T0 + 1000).stored;
    const g = applyEvent(s, asHost(ev.granted(T0 + 2000, "0-1")), T0 + 2000);
    expect(g.audit[0]).toMatchObject({ event: "evt.approval.granted", from: "step.awaitingApproval", to: "step.shifting", actor: { kind: "slack", id: "U123" } });
    s = applyEvent(g.stored, asHost(ev.weightsSet(T0 + 3000, 100)), T0 + 3000).stored;
    const fin = applyEvent(s, asHost(ev.analysis(T0 + 63_000, [verdict.pass()])), T0 + 63_000);
    expect(fin.done).toBe(true);
    expect(fin.commands.at(-1)?.data).toMatchObject({ outcome: "promoted", approvedBy: [{ kind: "slack", id: "U123", name: "ana" }] });
  });

  it("keeps at most AUDIT_LIMIT audit entries; seq keeps counting", () => {
    let s = started();
    s = applyEvent(s, asHost(ev.ready(T0 + 1000)), T0 + 1000).stored;
    for (let i = 0; i < AUDIT_LIMIT + 20; i++) {
      const t = T0 + 10_000 + i * 1000;
      s = applyEvent(s, asHost(i % 2 === 0 ? ev.migrationStarted(t) : ev.migrationCompleted(t)), t).stored;
    }
    expect(s.audit).toHaveLength(AUDIT_LIMIT);
    expect(s.audit.at(-1)?.seq).toBe(AUDIT_LIMIT + 21);
    expect(s.auditSeq).toBe(AUDIT_LIMIT + 22);
  });

  it("a superseded release publishes evt.release.superseded and ends without a status write", () => {
    let s = started();
    s = applyEvent(s, asHost(ev.ready(T0 + 1000)), T0 + 1000).stored;
    s = applyEvent(s, asHost(ev.weightsSet(T0 + 2000, 10)), T0 + 2000).stored;
    const sup = applyEvent(s, { type: "siskin.superseded", by: "shop/ratings/v1.2.0" }, T0 + 3000);
    expect(sup.commands.map((c) => c.subject)).toEqual(["cmd.traffic.set_weights", "cmd.analysis.stop", "evt.release.superseded", "evt.release.progressed", "cmd.status.write"]);
    const end = applyEvent(sup.stored, asHost(ev.weightsSet(T0 + 4000, 0)), T0 + 4000);
    expect(end.commands.map((c) => c.subject)).toEqual(["cmd.vm.stop", "evt.release.progressed", "evt.release.completed"]);
    expect(end.commands.at(-1)?.data).toMatchObject({ outcome: "superseded" });
  });
});
