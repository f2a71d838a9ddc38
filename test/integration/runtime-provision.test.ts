import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bucket, Consumer, Stream, type ConsumerName } from "../../schemas/subjects.js";
import { provision, serverFilters } from "../../services/runtime/index.js";
import { natsFixture, type NatsFixture } from "./runtime.test-util.js";

let fx: NatsFixture;
beforeAll(async () => {
  fx = await natsFixture({ provision: false });
});
afterAll(async () => {
  await fx?.stop();
});

const names = Object.keys(Consumer) as ConsumerName[];
const all = <T extends string>(keys: readonly T[], v: string) => Object.fromEntries(keys.map((k) => [k, v]));

describe("provision", () => {
  it("creates everything, then a second run changes nothing", async () => {
    const first = await provision(fx.nc);
    expect(first.streams).toEqual(all(Object.values(Stream).map((s) => s.name), "created"));
    expect(first.consumers).toEqual(all(names, "created"));
    expect(first.buckets).toEqual(all(Object.values(Bucket), "created"));

    const second = await provision(fx.nc);
    expect(second.streams).toEqual(all(Object.values(Stream).map((s) => s.name), "unchanged"));
    expect(second.consumers).toEqual(all(names, "unchanged"));
    expect(second.buckets).toEqual(all(Object.values(Bucket), "unchanged"));
  });

  it("sets work-queue retention, the releases bucket's history, and the consumers' ack policy", async () => {
    expect((await fx.jsm.streams.info(Stream.commands.name)).config.retention).toBe("workqueue");
    expect((await fx.jsm.streams.info(Stream.events.name)).config.retention).toBe("limits");
    expect((await fx.jsm.streams.info(`KV_${Bucket.releases}`)).config.max_msgs_per_subject).toBe(5);
    for (const name of names) {
      const info = await fx.jsm.consumers.info(Consumer[name].stream, name);
      expect(info.config).toMatchObject({ ack_policy: "explicit", max_deliver: 10, ack_wait: 30_000_000_000 });
    }
  });

  it("on nats-server 2.9 each consumer has a single filter_subject covering exactly its subjects", async () => {
    const version = fx.nc.info?.version ?? "";
    expect(version).toMatch(/^2\.9\./);
    const filters: Record<string, string | undefined> = {};
    for (const name of names) {
      const cfg = (await fx.jsm.consumers.info(Consumer[name].stream, name)).config;
      expect(cfg.filter_subjects ?? []).toEqual([]);
      filters[name] = cfg.filter_subject;
      expect([cfg.filter_subject]).toEqual(serverFilters(name, version));
    }
    expect(filters).toMatchObject({ vmProvisioner: "cmd.vm.*", metricsAnalyzer: "cmd.analysis.*", orchestrator: "evt.*.*", notifierEvents: "evt.>" });
  });

  it("applies changed options as updates, and is idempotent again after", async () => {
    const changed = await provision(fx.nc, { maxDeliver: 5, maxAgeMs: 3_600_000 });
    expect(changed.streams).toEqual(all(Object.values(Stream).map((s) => s.name), "updated"));
    expect(changed.consumers).toEqual(all(names, "updated"));
    expect((await fx.jsm.consumers.info(Stream.commands.name, "trafficRouter")).config.max_deliver).toBe(5);
    const again = await provision(fx.nc, { maxDeliver: 5, maxAgeMs: 3_600_000 });
    expect(Object.values(again.consumers).every((a) => a === "unchanged")).toBe(true);
    expect(Object.values(again.streams).every((a) => a === "unchanged")).toBe(true);
  });
});
