import { describe, expect, it } from "vitest";
import { rolloutKey } from "../../schemas/subjects.js";
import { RevisionConflictError } from "../runtime/kv.js";
import { asIndexValue, createKvIndex } from "./index-kv.js";
import { createMemoryKv } from "./memory-kv.test-util.js";
import type { IndexValue } from "./ports.js";
import { createKvReleaseStore } from "./store.js";

const slot = { rollout: { namespace: "shop", name: "ratings" }, service: "ratings", stableVersion: "v1", live: { releaseId: "shop/ratings/v2", version: "v2" }, queued: null, keys: [] };
const value: IndexValue = { releaseId: "shop/ratings/v2", version: "v2", slot };

describe("rollout index over KV", () => {
  it("creates, updates with the revision, lists, and deletes only at the revision", async () => {
    const kv = createMemoryKv("siskin-rollouts");
    const index = createKvIndex(kv, (k, r) => kv.deleteAt(k, r));
    const r1 = await index.write("shop", "ratings", value, 0);
    await expect(index.write("shop", "ratings", value, 0)).rejects.toBeInstanceOf(RevisionConflictError);
    const r2 = await index.write("shop", "ratings", { ...value, lastSetWeight: 10 }, r1);
    await expect(index.write("shop", "ratings", value, r1)).rejects.toThrow(/expected revision/);
    expect(await index.get("shop", "ratings")).toEqual({ value: { ...value, lastSetWeight: 10 }, revision: r2 });
    expect((await index.list()).map((e) => e.value.releaseId)).toEqual(["shop/ratings/v2"]);
    await expect(index.remove("shop", "ratings", r1)).rejects.toBeInstanceOf(RevisionConflictError);
    await index.remove("shop", "ratings", r2);
    expect(await index.get("shop", "ratings")).toBeNull();
  });

  it("an entry without a slot (older writer, or by hand) gets one from its release fields", () => {
    expect(asIndexValue(rolloutKey("shop", "ratings"), { releaseId: "shop/ratings/v2", version: "v2", stableVersion: "v1", service: "ratings" }).slot).toEqual(slot);
    expect(asIndexValue(rolloutKey("shop", "ratings"), "junk").slot).toMatchObject({ rollout: { namespace: "shop", name: "ratings" }, live: null });
  });
});

describe("release store over KV", () => {
  it("refuses a value that is not a stored release, naming the key and the fix", async () => {
    const kv = createMemoryKv("siskin-releases");
    await kv.put("shop=2fratings=2fv2", { hello: 1 });
    await expect(createKvReleaseStore(kv).load("shop/ratings/v2")).rejects.toThrow(/release shop\/ratings\/v2 \(key shop=2fratings=2fv2, revision 1\) is not a stored release \(machine is not a string.*nats kv get siskin-releases/);
  });

  it("reads a record written before `processed` existed as having processed nothing", async () => {
    const kv = createMemoryKv();
    const rec = { machine: "canary", version: 1, releaseId: "shop/ratings/v2", snapshot: {}, seq: 0, auditSeq: 0, audit: [], lastEvent: null, outbox: [] };
    await kv.put("shop=2fratings=2fv2", rec);
    expect((await createKvReleaseStore(kv).load("shop/ratings/v2"))?.value.processed).toEqual([]);
  });
});
