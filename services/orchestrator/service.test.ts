import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { SiskinError } from "../../schemas/errors.js";
import { AlertIndexEntry, RolloutIndexEntry } from "../../schemas/rollout-index.js";
import { releaseKey, rolloutKey } from "../../schemas/subjects.js";
import { NAME, NS, RELEASE_ID, T0, ev } from "../../workflows/canary/fixtures.test-util.js";
import { RevisionConflictError } from "../runtime/kv.js";
import { inspect, type StoredRelease } from "./host.js";
import { counterTotal } from "./metrics.js";
import type { ReleaseValue } from "./ports.js";
import { createWorld, envelope, happyScript, instance, nameOf, requestFor, type World } from "./kit.test-util.js";

const stored = (w: World, id = RELEASE_ID) => w.releasesKv.dump()[releaseKey(id)]?.value as ReleaseValue | undefined;
const indexEntry = (w: World) => w.rolloutsKv.dump()[rolloutKey(NS, NAME)]?.value as Record<string, unknown> | undefined;
const crash = () => new Error("simulated crash");

/** Run the script up to (not including) step `upTo`. */
async function runTo(w: World, svc: ReturnType<typeof instance>, upTo: number) {
  for (const s of happyScript(RELEASE_ID).slice(0, upTo)) {
    w.clock.now = s.at;
    if (s.msg) await svc.handle(s.msg);
    else await svc.tick(s.at);
  }
}

describe("orchestrator service: one release end to end (in memory)", () => {
  it("runs the happy path from the request to promotion, and frees the rollout index", async () => {
    const w = createWorld();
    const svc = instance(w);
    for (const s of happyScript(RELEASE_ID)) {
      w.clock.now = s.at;
      if (s.answers) expect(w.publisher.stored.map(nameOf)).toContain(s.answers);
      if (s.msg) await svc.handle(s.msg);
      else await svc.tick(s.at);
      const e = indexEntry(w);
      if (e !== undefined) {
        expect(Value.Check(RolloutIndexEntry, e)).toBe(true);
        expect(Value.Check(AlertIndexEntry, e)).toBe(true);
      }
    }
    const rec = stored(w);
    expect(rec).toBeDefined();
    expect(inspect(rec as StoredRelease)).toMatchObject({ state: "succeeded", done: true });
    expect(rec?.outbox).toEqual([]);
    expect(indexEntry(w)).toBeUndefined();
    const names = w.publisher.stored.map(nameOf);
    expect(names.filter((x) => !x.startsWith("evt.") && x !== "cmd.status.write")).toEqual([
      "cmd.vm.provision", "set_weights:10", "cmd.analysis.start", "set_weights:50", "set_weights:100", "cmd.analysis.stop", "cmd.vm.stop", "cmd.vm.prune", "cmd.traffic.prune",
    ]);
    expect(names.at(-1)).toBe("evt.release.completed");
    // msgIds are the release's seq, each once, in order
    expect(w.publisher.stored.map((c) => c.msgId)).toEqual(w.publisher.stored.map((_, i) => `${RELEASE_ID}:${i}`));
    expect(w.publisher.calls.every((c) => !c.duplicate)).toBe(true);
  });

  it("keeps the index entry while live: both readers' fields, the weight set last, and the next wake-up", async () => {
    const w = createWorld();
    const svc = instance(w);
    await runTo(w, svc, 4); // through weights 10 → analyzing
    expect(indexEntry(w)).toMatchObject({
      releaseId: RELEASE_ID, version: "v1.1.0", stableVersion: "v1.0.0", stableSubset: "v1.0.0", canarySubset: "v1.1.0", lastSetWeight: 10,
      namespace: NS, rollout: NAME, service: NAME, canaryVersion: "v1.1.0", versionLabel: "version", alertMatchers: [],
      nextWakeAt: T0 + 3000 + 30_000, // no deadline closer than the idle cap while the first interval bakes
      slot: { live: { releaseId: RELEASE_ID, version: "v1.1.0" }, queued: null },
    });
  });
});

describe("orchestrator service: crashes and redeliveries", () => {
  it("a crash after the save publishes nothing; the redelivery publishes the saved outbox once and does not re-apply", async () => {
    const w = createWorld();
    await runTo(w, instance(w), 2);
    const before = stored(w);
    const ready = happyScript(RELEASE_ID)[2]!;
    w.clock.now = ready.at;
    const a = instance(w, { faults: { afterSave: () => { throw crash(); } } });
    const published = w.publisher.calls.length;
    await expect(a.handle(ready.msg!)).rejects.toThrow("simulated crash");
    expect(w.publisher.calls.length).toBe(published);
    expect(stored(w)?.outbox.map(nameOf)).toEqual(["set_weights:10", "evt.release.progressed", "cmd.status.write"]);

    w.clock.now += 5000; // the redelivery comes later
    await instance(w).handle(ready.msg!);
    const rec = stored(w)!;
    expect(rec.outbox).toEqual([]);
    expect(rec.audit.length).toBe((before?.audit.length ?? 0) + 1);
    expect(w.publisher.calls.slice(published).map((c) => [nameOf(c.cmd), c.duplicate])).toEqual([
      ["set_weights:10", false], ["evt.release.progressed", false], ["cmd.status.write", false],
    ]);
  });

  it("a crash after publishing (before the outbox is cleared) republishes on redelivery; JetStream drops the repeats", async () => {
    const w = createWorld();
    await runTo(w, instance(w), 2);
    const ready = happyScript(RELEASE_ID)[2]!;
    w.clock.now = ready.at;
    const a = instance(w, { faults: { afterPublish: () => { throw crash(); } } });
    await expect(a.handle(ready.msg!)).rejects.toThrow("simulated crash");
    expect(stored(w)?.outbox).toHaveLength(3);
    const n = w.publisher.stored.length;
    await instance(w).handle(ready.msg!);
    expect(stored(w)?.outbox).toEqual([]);
    expect(w.publisher.stored.length).toBe(n); // nothing new stored
    expect(w.publisher.calls.slice(-3).every((c) => c.duplicate)).toBe(true);
  });

  it("a tick or another event also publishes a leftover outbox before applying", async () => {
    const w = createWorld();
    await runTo(w, instance(w), 3);
    const weights = happyScript(RELEASE_ID)[3]!;
    w.clock.now = weights.at;
    await expect(instance(w, { faults: { afterSave: () => { throw crash(); } } }).handle(weights.msg!)).rejects.toThrow();
    expect(w.publisher.stored.map(nameOf)).not.toContain("cmd.analysis.start");
    // not due yet: the ticker leaves it alone; at its wake-up time the tick flushes first
    expect((await instance(w).tick(weights.at + 1)).due).toBe(0);
    await instance(w).tick(indexEntry(w)?.nextWakeAt as number);
    expect(w.publisher.stored.map(nameOf)).toContain("cmd.analysis.start");
    expect(stored(w)?.outbox).toEqual([]);
  });

  it("remembers processed event ids: an old event redelivered after later ones is not applied again", async () => {
    const w = createWorld();
    const svc = instance(w);
    await runTo(w, svc, 6);
    const old = happyScript(RELEASE_ID)[3]!; // weights 10, long applied
    const before = stored(w);
    expect(before?.processed).toContain(old.msg!.id);
    await svc.handle(old.msg!);
    expect(stored(w)).toEqual(before);
    expect(await counterTotal(svc.metrics.events, { outcome: "duplicate" })).toBe(1);
    expect(before?.processed).toContain(old.msg!.id);
  });

  it("retries after a revision conflict (another replica advanced the release) and applies once", async () => {
    const w = createWorld();
    await runTo(w, instance(w), 2);
    let raced = false;
    w.releasesKv.faults.push((op, key) => {
      if (op === "update" && key === releaseKey(RELEASE_ID) && !raced) {
        raced = true;
        return new RevisionConflictError("siskin-releases", key, 1, new Error("wrong last sequence: 99"));
      }
      return undefined;
    });
    const svc = instance(w);
    const ready = happyScript(RELEASE_ID)[2]!;
    await svc.handle(ready.msg!);
    expect(raced).toBe(true);
    expect(inspect(stored(w) as StoredRelease).state).toBe("step.shifting");
    expect(await counterTotal(svc.metrics.kvOps, { op: "update", outcome: "conflict" })).toBe(1);
    expect(w.publisher.stored.map(nameOf).filter((x) => x === "set_weights:10")).toHaveLength(1);
  });

  it("gives up after maxAttempts conflicts with a retryable error (the message is nak'ed)", async () => {
    const w = createWorld();
    await runTo(w, instance(w), 2);
    w.releasesKv.faults.push((op, key) => (op === "update" && key !== null ? new RevisionConflictError("siskin-releases", key, 1) : undefined));
    const err = await instance(w, { maxAttempts: 3 }).handle(happyScript(RELEASE_ID)[2]!.msg!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiskinError);
    expect(err).toMatchObject({ code: "SISKIN_ERR_CONFLICT", retryable: true });
    expect((err as Error).message).toMatch(/lost 3 optimistic-concurrency races/);
  });

  it("two replicas handling events of one release at once both apply, one after the other", async () => {
    const w = createWorld();
    await runTo(w, instance(w), 3);
    const a = instance(w);
    const b = instance(w);
    const script = happyScript(RELEASE_ID);
    w.clock.now = T0 + 3000;
    // weights 10 and a (stale) provisioned fact arrive together at two replicas, plus ticks from both
    await Promise.all([a.handle(script[3]!.msg!), b.handle(script[1]!.msg!), a.tick(), b.tick()]);
    const rec = stored(w)!;
    const seqs = rec.audit.map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    for (let i = 1; i < rec.audit.length; i++) expect(rec.audit[i]!.from).toBe(rec.audit[i - 1]!.to);
    expect(w.publisher.stored.map(nameOf).filter((x) => x === "cmd.analysis.start")).toHaveLength(1);
    const conflicts = (await counterTotal(a.metrics.kvOps, { outcome: "conflict" })) + (await counterTotal(b.metrics.kvOps, { outcome: "conflict" }));
    expect(conflicts).toBeGreaterThan(0); // they did race
  });
});

describe("orchestrator service: ticks, supersede, queue", () => {
  it("ticks only live releases whose nextWakeAt has come", async () => {
    const w = createWorld();
    const svc = instance(w);
    await runTo(w, svc, 5);
    const wake = indexEntry(w)?.nextWakeAt as number;
    expect((await svc.tick(wake - 1)).due).toBe(0);
    const r = await svc.tick(wake);
    expect(r).toMatchObject({ live: 1, due: 1 });
    // a request for another rollout is due at once
    await svc.handle(envelope("evt.release.requested", { ...requestFor().data, rollout: { namespace: NS, name: "reviews" }, spec: { ...requestFor().data.spec, service: "reviews" }, idempotencyKey: "k2" }));
    expect(await svc.tick(wake - 1)).toMatchObject({ live: 2, due: 0 });
    const kv = await counterTotal(svc.metrics.kvOps, { bucket: "siskin-releases", op: "get" });
    await svc.tick(wake - 1);
    expect(await counterTotal(svc.metrics.kvOps, { bucket: "siskin-releases", op: "get" })).toBe(kv); // skipped: no release loaded
  });

  it("a newer tag supersedes the live release, queues behind it, and starts when it has rolled back", async () => {
    const w = createWorld();
    const svc = instance(w);
    await runTo(w, svc, 5);
    const next = "v1.2.0";
    const nextId = `${NS}/${NAME}/${next}`;
    w.clock.now = T0 + 10_000;
    await svc.handle(requestFor(next));
    expect(inspect(stored(w, nextId) as StoredRelease).state).toBe("queued");
    expect(inspect(stored(w) as StoredRelease).state).toBe("rollingBack");
    expect(indexEntry(w)).toMatchObject({ releaseId: RELEASE_ID, slot: { live: { releaseId: RELEASE_ID }, queued: { releaseId: nextId } } });
    expect(w.publisher.stored.map(nameOf)).toContain("evt.release.superseded");
    // the request again (GitHub redelivery): nothing new
    const n = w.publisher.stored.length;
    await svc.handle(requestFor(next));
    expect(w.publisher.stored.length).toBe(n);
    // the traffic-router confirms weight 0: the old release ends, the new one provisions
    w.clock.now = T0 + 11_000;
    await svc.handle(envelope("evt.traffic.weights_set", ev.weightsSet(T0 + 11_000, 0).data, { releaseId: RELEASE_ID }));
    expect(inspect(stored(w) as StoredRelease)).toMatchObject({ state: "superseded", done: true });
    expect(inspect(stored(w, nextId) as StoredRelease).state).toBe("provisioning");
    expect(w.publisher.stored.filter((c) => c.releaseId === nextId).map(nameOf)).toContain("cmd.vm.provision");
    expect(indexEntry(w)).toMatchObject({ releaseId: nextId, version: next, slot: { live: { releaseId: nextId }, queued: null } });
  });

  it("repairs the index when a crash hit between the final save and freeing the slot", async () => {
    const w = createWorld();
    const svc = instance(w);
    const script = happyScript(RELEASE_ID);
    await runTo(w, svc, script.length - 1);
    w.rolloutsKv.faults.push((op) => (op === "update" || op === "delete" ? crash() : undefined));
    const last = script.at(-1)!;
    w.clock.now = last.at;
    await svc.tick(last.at); // the tick's index update fails and is logged
    expect(inspect(stored(w) as StoredRelease).done).toBe(true);
    expect(indexEntry(w)).toBeDefined();
    w.rolloutsKv.faults.length = 0;
    await svc.tick(last.at + 1000);
    expect(indexEntry(w)).toBeUndefined();
  });
});
