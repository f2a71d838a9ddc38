// Test doubles of release-trigger's ports (not a test file: no `.test.ts` suffix on purpose).
import { checkPayload } from "../../schemas/codec.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { Subject } from "../../schemas/subjects.js";
import type { Outgoing, Publisher, RolloutRecord, Rollouts } from "./ports.js";

/** A valid spec released from `org/ratings`. */
export function ratingsSpec(over: Partial<VMRolloutSpec> = {}): VMRolloutSpec {
  return {
    service: "ratings",
    virtualService: { name: "ratings" },
    destinationRule: { name: "ratings" },
    stableVersion: "v1.0.0",
    vmTemplate: { spec: {} },
    source: { repository: "org/ratings" },
    ...over,
  };
}

/** Rollouts held in memory; matching is case-insensitive like the kube adapter. */
export function fakeRollouts(items: RolloutRecord[]): Rollouts & { calls: number } {
  const self = {
    calls: 0,
    async findByRepository(fullName: string) {
      self.calls++;
      return items.filter((r) => r.spec.source?.repository.toLowerCase() === fullName.toLowerCase());
    },
    async get(namespace: string, name: string) {
      return items.find((r) => r.namespace === namespace && r.name === name) ?? null;
    },
  };
  return self;
}

/** A publisher that validates like the runtime and drops repeated ids like JetStream. */
export function fakePublisher(): Publisher & { sent: Array<{ subject: Subject; msg: Outgoing<Subject> }> } {
  const ids = new Set<string>();
  const sent: Array<{ subject: Subject; msg: Outgoing<Subject> }> = [];
  return {
    sent,
    async publish(subject, msg) {
      const problems = checkPayload(subject, msg.data);
      if (problems.length > 0) throw new Error(`invalid ${subject}: ${problems.join("; ")}`);
      const id = msg.id ?? `fake-${ids.size + 1}`;
      if (ids.has(id)) return { id, seq: 0, duplicate: true };
      ids.add(id);
      sent.push({ subject, msg: msg as Outgoing<Subject> });
      return { id, seq: ids.size, duplicate: false };
    },
  };
}
