// Test doubles of approval-gateway's ports (not a test file).
import type { ApprovalRequest } from "../../schemas/approval.js";
import { checkPayload } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { Subject } from "../../schemas/subjects.js";
import type { Block, Chat, Directory, KvStore, Outgoing, Publisher } from "./ports.js";

/** An in-memory KV with revisions, conflicting like JetStream KV. */
export function fakeKv(): KvStore & { data: Map<string, { value: unknown; revision: number }> } {
  const data = new Map<string, { value: unknown; revision: number }>();
  let seq = 0;
  const clone = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  return {
    data,
    async get(key) {
      const e = data.get(key);
      return e === undefined ? null : { value: clone(e.value), revision: e.revision };
    },
    async create(key, value) {
      if (data.has(key)) throw new SiskinError("SISKIN_ERR_CONFLICT", `kv: ${key} exists`);
      data.set(key, { value: clone(value), revision: ++seq });
      return seq;
    },
    async update(key, value, revision) {
      if (data.get(key)?.revision !== revision) throw new SiskinError("SISKIN_ERR_CONFLICT", `kv: ${key} is not at ${revision}`);
      data.set(key, { value: clone(value), revision: ++seq });
      return seq;
    },
    async delete(key) {
      data.delete(key);
    },
    async keys() {
      return [...data.keys()];
    },
  };
}

/** A publisher that validates like the runtime and drops repeated ids like JetStream. */
export function fakePublisher(): Publisher & { sent: Array<{ subject: Subject; msg: Outgoing<Subject> }>; failNext: number } {
  const ids = new Set<string>();
  const self = {
    sent: [] as Array<{ subject: Subject; msg: Outgoing<Subject> }>,
    failNext: 0,
    async publish<S extends Subject>(subject: S, msg: Outgoing<S>) {
      if (self.failNext > 0) {
        self.failNext--;
        throw new Error("nats: timeout");
      }
      const problems = checkPayload(subject, msg.data);
      if (problems.length > 0) throw new Error(`invalid ${subject}: ${problems.join("; ")}`);
      const id = msg.id ?? `fake-${ids.size + 1}`;
      if (ids.has(id)) return { id, seq: 0, duplicate: true };
      ids.add(id);
      self.sent.push({ subject, msg: msg as unknown as Outgoing<Subject> });
      return { id, seq: ids.size, duplicate: false };
    },
  };
  return self;
}

/** Slack messages in memory. */
export function fakeChat(): Chat & { messages: Array<{ channel: string; ts: string; threadTs?: string; text: string; blocks: Block[]; edits: number }> } {
  let n = 0;
  const messages: Array<{ channel: string; ts: string; threadTs?: string; text: string; blocks: Block[]; edits: number }> = [];
  return {
    messages,
    async post(m) {
      const ts = `1700000000.${String(++n).padStart(6, "0")}`;
      messages.push({ ...m, ts, edits: 0 });
      return { channel: m.channel, ts };
    },
    async update(m) {
      const found = messages.find((x) => x.channel === m.channel && x.ts === m.ts);
      if (found === undefined) throw new Error(`message_not_found ${m.ts}`);
      found.text = m.text;
      found.blocks = m.blocks;
      found.edits++;
    },
  };
}

/** User groups in memory. */
export function fakeDirectory(groups: Record<string, string[]>): Directory & { lookups: number } {
  const self = {
    lookups: 0,
    async groupMembers(g: string) {
      self.lookups++;
      return groups[g] ?? [];
    },
  };
  return self;
}

/** A valid approval request for shop/ratings v2.3.0, step 2 (10 → 50 %). */
export function request(over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    requestId: "1-0",
    rollout: { namespace: "shop", name: "ratings" },
    version: "v2.3.0",
    step: 1,
    fromWeight: 10,
    toWeight: 50,
    verdicts: [
      { metric: "error-rate", verdict: "pass", reason: "0.20% ≤ 1% (stable 0.10%)" },
      { metric: "latency-p99", verdict: "inconclusive", reason: "12 requests < 20" },
    ],
    approvers: { users: ["UALICE"], groups: ["SONCALL"] },
    expiresAt: 1_700_003_600_000,
    onTimeout: "reject",
    ...over,
  };
}

