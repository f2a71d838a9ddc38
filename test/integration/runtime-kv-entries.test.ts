// JsonKv.entries(): every live key's last value in one batched read, as keys() plus one get per key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bucket } from "../../schemas/subjects.js";
import { openKv, type JsonKv } from "../../services/runtime/index.js";
import { natsFixture, type NatsFixture } from "./runtime.test-util.js";

let fx: NatsFixture;
let kv: JsonKv;
beforeAll(async () => {
  fx = await natsFixture();
  kv = await openKv(fx.nc, Bucket.analyses);
});
afterAll(async () => {
  await fx?.stop();
});

const sorted = <T extends { key: string }>(xs: T[]) => [...xs].sort((a, b) => a.key.localeCompare(b.key));

describe("JsonKv.entries", () => {
  it("is empty for an empty bucket, and equals keys() plus get() after creates, updates and deletes", async () => {
    expect(await kv.entries()).toEqual([]);
    const a = await kv.create("a", { n: 1 });
    await kv.put("b", { n: 2 });
    await kv.put("c", ["x"]);
    await kv.update("a", { n: 3 }, a);
    await kv.delete("b");
    const entries = sorted(await kv.entries());
    expect(entries.map((e) => [e.key, e.value])).toEqual([
      ["a", { n: 3 }],
      ["c", ["x"]],
    ]);
    const viaGet = await Promise.all((await kv.keys()).map(async (key) => ({ key, ...(await kv.get(key)) })));
    expect(entries).toEqual(sorted(viaGet));
  });

  it("reads every one of many keys in one call", async () => {
    await Promise.all(Array.from({ length: 300 }, (_, i) => kv.put(`k${i}`, { i })));
    const entries = await kv.entries();
    expect(entries.filter((e) => e.key.startsWith("k"))).toHaveLength(300);
  });

  it("is empty again once every key is deleted", async () => {
    for (const key of await kv.keys()) await kv.delete(key);
    expect(await kv.entries()).toEqual([]);
  });
});
