// What an operator sets for the JetStream objects reaches provision: replicas, ack_wait, max_deliver.
import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { consumerConfig, JetStreamConfig, provisionOptionsOf, streamConfigs } from "./provision.js";

const load = (env: Record<string, string>) => provisionOptionsOf(loadConfig(Type.Object({ jetstream: JetStreamConfig }), env).jetstream);

describe("JetStreamConfig", () => {
  it("reads replicas, ack wait and max deliver from SISKIN_JETSTREAM_*", () => {
    const opts = load({ SISKIN_JETSTREAM_REPLICAS: "3", SISKIN_JETSTREAM_ACK_WAIT_MS: "5000", SISKIN_JETSTREAM_MAX_DELIVER: "20" });
    expect(opts).toEqual({ replicas: 3, ackWaitMs: 5000, maxDeliver: 20 });
    expect(streamConfigs(opts).every((s) => s.num_replicas === 3)).toBe(true);
    expect(consumerConfig("orchestrator" as never, "2.9.10", opts)).toMatchObject({ max_deliver: 20, ack_wait: 5_000_000_000 });
  });

  it("defaults to one replica and refuses a count JetStream does not take", () => {
    expect(load({})).toEqual({ replicas: 1 });
    expect(() => load({ SISKIN_JETSTREAM_REPLICAS: "2" })).toThrow(/SISKIN_JETSTREAM_REPLICAS: must be one of 1, 3, 5/);
  });
});
