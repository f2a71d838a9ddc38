import { describe, expect, it } from "vitest";
import { checkPayload } from "../../schemas/codec.js";
import { Event } from "../../schemas/subjects.js";
import { factsFor, type Fact } from "./evaluate.js";
import { eventFacts, migrationFactsFor } from "./evaluate-vmim.js";
import { apitestingVmi, harvesterVmi, mutate, setReady, succeededVmim } from "./fixtures.test-util.js";
import type { KubeEvent, Vmi } from "./kube-types.js";

const running = harvesterVmi();
const uid = running.metadata?.uid ?? "";
const labelled = mutate(running, "10393539", (v) => {
  v.metadata!.labels = { ...v.metadata!.labels, app: "ratings", version: "v2", "siskin.dev/rollout": "ratings" };
});

function at(phase: string, rv: string, ready: boolean, base: Vmi = labelled): Vmi {
  return mutate(base, rv, (v) => {
    v.status!.phase = phase;
    setReady(v, ready ? "True" : "False", ready ? undefined : "GuestNotRunning");
  });
}

const subjects = (facts: Fact[]) => facts.map((f) => f.subject);

function expectValid(facts: Fact[]): void {
  for (const f of facts) expect(checkPayload(f.subject, f.data), `${f.subject} ${f.id}`).toEqual([]);
}

describe("factsFor (VMI transitions, upstream Harvester VMI)", () => {
  const scheduled = mutate(at("Scheduled", "100", false), "100", (v) => {
    v.status!.phaseTransitionTimestamps = v.status!.phaseTransitionTimestamps!.filter((t) => t.phase !== "Running");
  });
  const migrating = mutate(labelled, "200", (v) => {
    v.status!.migrationState = { migrationUid: "mig-1", sourceNode: "harvester-kfs2c", targetNode: "node-b", startTimestamp: "2024-08-22T03:00:00Z" };
  });

  it.each<[string, Vmi | undefined, Vmi | undefined, string[]]>([
    ["first sight of a Running, Ready VMI", undefined, running, [Event.vmPhaseChanged, Event.vmReadyChanged]],
    ["Scheduled → Running and Ready", scheduled, labelled, [Event.vmPhaseChanged, Event.vmReadyChanged]],
    ["nothing changed but the resourceVersion", labelled, mutate(labelled, "999", () => {}), []],
    ["Ready True → False", labelled, at("Running", "300", false), [Event.vmReadyChanged]],
    ["Running → Failed is a crash", labelled, at("Failed", "301", false), [Event.vmPhaseChanged, Event.vmReadyChanged, Event.vmCrashed]],
    ["first sight of a Failed VMI that ran (missed while away)", undefined, at("Failed", "302", false), [Event.vmPhaseChanged, Event.vmCrashed]],
    ["Scheduling → Failed without ever running is no crash", at("Scheduling", "1", false, scheduled), at("Failed", "2", false, scheduled), [Event.vmPhaseChanged]],
    ["migration starts", labelled, migrating, [Event.vmMigrationStarted]],
    ["migration completes", migrating, mutate(migrating, "201", (v) => Object.assign(v.status!.migrationState!, { completed: true })), [Event.vmMigrationCompleted]],
    ["migration fails", migrating, mutate(migrating, "202", (v) => Object.assign(v.status!.migrationState!, { failed: true, failureReason: "target pod evicted" })), [Event.vmMigrationFailed]],
    ["a finished migration first seen reports its outcome only", labelled, mutate(migrating, "203", (v) => Object.assign(v.status!.migrationState!, { completed: true })), [Event.vmMigrationCompleted]],
    ["deleted", labelled, undefined, [Event.vmDeleted]],
    ["never seen and gone", undefined, undefined, []],
  ])("%s", (_name, prev, next, want) => {
    const facts = factsFor(prev, next);
    expect(subjects(facts)).toEqual(want);
    expectValid(facts);
  });

  it("carries the VMI, node, labels, rollout and resourceVersion", () => {
    const [phase, ready] = factsFor(scheduled, labelled);
    expect(phase).toEqual({
      subject: Event.vmPhaseChanged,
      id: `vm:${uid}:phase_changed:10393539`,
      data: {
        vmi: { namespace: "default", name: "pinned-to-host" },
        resourceVersion: "10393539",
        app: "ratings",
        version: "v2",
        rollout: { namespace: "default", name: "ratings" },
        phase: "Running",
        previousPhase: "Scheduled",
        nodeName: "harvester-kfs2c",
      },
    });
    expect(ready?.id).toBe(`vm:${uid}:ready_changed:10393539`);
  });

  it("reads the version from the rollout's version label", () => {
    const custom = mutate(labelled, "5", (v) => (v.metadata!.labels!["app.kubernetes.io/version"] = "v9"));
    const [fact] = factsFor(undefined, custom, { versionLabel: "app.kubernetes.io/version" });
    expect(fact?.data).toMatchObject({ version: "v9" });
  });

  it("says why the VMI is not ready, and the crash reason", () => {
    const facts = factsFor(labelled, mutate(at("Failed", "400", false), "400", (v) => (v.status!.reason = "VMI crashed")));
    expect(facts.find((f) => f.subject === Event.vmReadyChanged)?.data).toMatchObject({ ready: false, reason: "GuestNotRunning" });
    expect(facts.find((f) => f.subject === Event.vmCrashed)?.data).toMatchObject({ reason: "VMI crashed" });
  });

  it("gives once-per-VMI facts fixed ids, so two paths (or a relist) publish them once", () => {
    const a = factsFor(labelled, at("Failed", "500", false)).find((f) => f.subject === Event.vmCrashed);
    const b = factsFor(undefined, at("Failed", "777", false)).find((f) => f.subject === Event.vmCrashed);
    expect(a?.id).toBe(`vm:${uid}:crashed:once`);
    expect(b?.id).toBe(a?.id);
    expect(factsFor(labelled, undefined)[0]?.id).toBe(`vm:${uid}:deleted:final`);
    const started = factsFor(labelled, migrating)[0];
    expect(started?.id).toBe(`vm:${uid}:migration_started:mig-1`);
    expect(started?.data).toMatchObject({ migrationUid: "mig-1", sourceNode: "harvester-kfs2c", targetNode: "node-b" });
  });

  it("reports an aborted migration as failed", () => {
    const aborted = mutate(migrating, "204", (v) => Object.assign(v.status!.migrationState!, { completed: true, failed: true, abortStatus: "Succeeded" }));
    expect(factsFor(migrating, aborted)[0]?.data).toMatchObject({ reason: "migration aborted" });
  });

  it("drops a rollout label that is no object name", () => {
    const odd = mutate(labelled, "6", (v) => (v.metadata!.labels!["siskin.dev/rollout"] = "Not_A_Name"));
    expect(factsFor(undefined, odd)[0]?.data).not.toHaveProperty("rollout");
  });

  it.each(["HEAD", "release-1.9"] as const)("tolerates every field of KubeVirt's %s API fixture (unknown phase → Unknown)", (which) => {
    const vmi = apitestingVmi(which);
    const facts = factsFor(undefined, vmi);
    expect(facts.find((f) => f.subject === Event.vmPhaseChanged)?.data).toMatchObject({ phase: "Unknown" });
    // completed + failed: the fuzzer's migration ended in failure
    expect(subjects(facts)).toContain(Event.vmMigrationFailed);
  });
});

describe("migrationFactsFor (VMIM phases, upstream portworx VMIM)", () => {
  const done = succeededVmim();
  const vmi = labelled;
  const runningVmim = mutate(done, "40", (m) => {
    m.status = { phase: "Running", migrationState: { migrationUid: "71ff0907-28de-4859-8c42-07f539fec571" } };
  });
  it.each<[string, Parameters<typeof migrationFactsFor>[0], Parameters<typeof migrationFactsFor>[1], string[]]>([
    ["first seen running → started", undefined, runningVmim, [Event.vmMigrationStarted]],
    ["Running → Succeeded → completed", runningVmim, done, [Event.vmMigrationCompleted]],
    ["Running → Failed → failed", runningVmim, mutate(done, "51", (m) => (m.status!.phase = "Failed")), [Event.vmMigrationFailed]],
    ["Succeeded again → nothing", done, mutate(done, "52", () => {}), []],
    ["Pending → Running → nothing new (started was reported)", mutate(runningVmim, "39", (m) => (m.status!.phase = "Pending")), runningVmim, []],
  ])("%s", (_n, prev, next, want) => {
    const facts = migrationFactsFor(prev, next, vmi);
    expect(subjects(facts)).toEqual(want);
    expectValid(facts);
  });

  it("uses the VMI uid and the migration uid, as the VMI's migrationState would", () => {
    const [f] = migrationFactsFor(runningVmim, done, vmi);
    expect(f?.id).toBe(`vm:${uid}:migration_completed:71ff0907-28de-4859-8c42-07f539fec571`);
    expect(f?.data).toMatchObject({ sourceNode: "stork-integ-src-2pjbr-worker-0-5m8pf", targetNode: "stork-integ-src-2pjbr-worker-0-zt9ll" });
  });

  it("needs the VMI to attribute the migration", () => {
    expect(migrationFactsFor(undefined, done, undefined)).toEqual([]);
  });
});

describe("eventFacts (KubeVirt Events)", () => {
  const crash: KubeEvent = {
    metadata: { name: "pinned-to-host.1", namespace: "default", uid: "ev-1", resourceVersion: "9" },
    type: "Warning",
    reason: "Stopped",
    message: "The VirtualMachineInstance crashed.",
    involvedObject: { kind: "VirtualMachineInstance", name: "pinned-to-host", namespace: "default", uid },
  };
  it("turns a Warning Stopped 'crashed' into the same crash fact the Failed phase gives", () => {
    const facts = eventFacts(crash, labelled);
    expect(facts.map((f) => f.id)).toEqual([`vm:${uid}:crashed:once`]);
    expect(facts[0]?.data).toMatchObject({ reason: "The VirtualMachineInstance crashed.", rollout: { name: "ratings" } });
    expectValid(facts);
  });
  it.each<[string, KubeEvent, Vmi | undefined]>([
    ["a normal shutdown", { ...crash, type: "Normal", message: "The VirtualMachineInstance was shut down." }, labelled],
    ["another kind", { ...crash, involvedObject: { ...crash.involvedObject, kind: "VirtualMachine" } }, labelled],
    ["an unknown VMI", crash, undefined],
    ["another VMI with the same name", { ...crash, involvedObject: { ...crash.involvedObject, uid: "older-uid" } }, labelled],
  ])("ignores %s", (_n, ev, v) => {
    expect(eventFacts(ev, v)).toEqual([]);
  });
});
