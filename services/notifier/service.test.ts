import { describe, expect, it } from "vitest";
import { message, type PayloadOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { Command, Event, type Subject } from "../../schemas/subjects.js";
import type { Block, Chat, KvStore, Webhooks } from "./ports.js";
import { createService } from "./service.js";
import { threadKey, type ThreadEntry } from "./thread.js";
import { humanDuration } from "./render.js";

const releaseId = "shop/ratings/v2.3.0";
let seq = 0;
const env = <S extends Subject>(subject: S, data: PayloadOf<S>, id = `m-${++seq}`, rid: string | null = releaseId) =>
  message(subject, { id, occurredAt: "2024-05-01T10:00:00.000Z", ...(rid === null ? {} : { releaseId: rid }), data });

const requested = (webhooks: string[] = ["https://hooks.example/a", "https://hooks.example/b"]) =>
  env(Event.releaseRequested, {
    rollout: { namespace: "shop", name: "ratings", generation: 2 },
    spec: {
      service: "ratings",
      virtualService: { name: "ratings" },
      destinationRule: { name: "ratings" },
      stableVersion: "v2.2.0",
      vmTemplate: { spec: {} },
      notify: { slackChannel: "CREL", webhooks, dashboardUrl: "https://grafana.example/d/x" },
    },
    version: "v2.3.0",
    tag: "v2.3.0",
    commit: "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd",
    repository: "org/ratings",
    requestedBy: { kind: "github", id: "octocat" },
    idempotencyKey: "delivery-1",
  });

function setup() {
  const data = new Map<string, { value: unknown; revision: number }>();
  let rev = 0;
  const kv: KvStore = {
    async get(k) {
      const e = data.get(k);
      return e === undefined ? null : { value: structuredClone(e.value), revision: e.revision };
    },
    async create(k, v) {
      if (data.has(k)) throw new SiskinError("SISKIN_ERR_CONFLICT", "exists");
      data.set(k, { value: structuredClone(v), revision: ++rev });
      return rev;
    },
    async update(k, v, r) {
      if (data.get(k)?.revision !== r) throw new SiskinError("SISKIN_ERR_CONFLICT", "stale");
      data.set(k, { value: structuredClone(v), revision: ++rev });
      return rev;
    },
  };
  const posts: Array<{ channel: string; threadTs?: string; text: string; blocks?: Block[]; ts: string }> = [];
  const updates: Array<{ ts: string; text: string; blocks?: Block[] }> = [];
  const chat: Chat = {
    async post(m) {
      const ts = `1714557600.${String(posts.length + 1).padStart(6, "0")}`;
      posts.push({ ...m, ts });
      return { channel: m.channel, ts };
    },
    async update(m) {
      updates.push(m);
    },
  };
  const hooks: Array<{ url: string; body: { type: string; id: string } }> = [];
  const failing = new Set<string>();
  const webhooks: Webhooks = {
    async post(url, body) {
      if (failing.has(url)) throw new Error(`${url} answered 500`);
      hooks.push({ url, body: body as { type: string; id: string } });
    },
  };
  const errors: string[] = [];
  const service = createService({ chat, kv, webhooks, defaultChannel: "CDEFAULT", onError: (_e, what) => errors.push(what) });
  const entry = async () => (await kv.get(threadKey(releaseId)))?.value as ThreadEntry;
  return { service, posts, updates, hooks, failing, errors, entry };
}

describe("a release's thread", () => {
  it("opens with a first message naming rollout, version, tag and commit, and stores its ts", async () => {
    const t = setup();
    await t.service.handle(requested());
    expect(t.posts).toHaveLength(1);
    const first = t.posts[0]!;
    expect(first.channel).toBe("CREL");
    expect(first.threadTs).toBeUndefined();
    const json = JSON.stringify(first.blocks);
    for (const s of ["shop/ratings v2.3.0", "`v2.3.0`", "d2b75aa", "https://github.com/org/ratings/commit/d2b75aa7797ec26b088fa2dd527e9d2c052fcedd", "github:octocat"]) {
      expect(json).toContain(s);
    }
    expect(await t.entry()).toMatchObject({ channel: "CREL", ts: first.ts, webhooks: ["https://hooks.example/a", "https://hooks.example/b"], state: "requested" });
    expect(t.updates).toHaveLength(0);
    expect(t.hooks.map((h) => [h.url, h.body.type])).toEqual([
      ["https://hooks.example/a", "evt.release.requested"],
      ["https://hooks.example/b", "evt.release.requested"],
    ]);
  });

  it("replies for each step, verdict, approval, rollback and the outcome, keeping the first message current", async () => {
    const t = setup();
    await t.service.handle(requested([]));
    const ts = t.posts[0]!.ts;
    await t.service.handle(
      env(Event.releaseProgressed, {
        from: "provisioning",
        to: "step.analyzing",
        event: "evt.traffic.weights_set",
        reason: "canary at 10%",
        step: 0,
        weight: 10,
        verdicts: [{ metric: "error-rate", verdict: "pass", reason: "0.1% ≤ 1%" }],
        seq: 3,
      }),
    );
    await t.service.handle(env(Event.approvalRequested, { requestId: "1-0", channel: "CREL", ts: "1714557600.000900" }));
    await t.service.handle(env(Event.approvalGranted, { requestId: "1-0", actor: { kind: "slack", id: "UBOB", name: "bob" }, at: 1714557700000 }));
    await t.service.handle(
      env(Event.releaseProgressed, { from: "step.analyzing", to: "rollingBack", event: "evt.alert.fired", reason: "alert HighErrorRate firing", step: 1, weight: 50, seq: 9 }),
    );
    await t.service.handle(env(Event.releaseCompleted, { outcome: "rolledBack", reason: "alert HighErrorRate firing", durationMs: 754_000 }));
    const replies = t.posts.slice(1);
    expect(replies.every((r) => r.threadTs === ts)).toBe(true);
    expect(replies.map((r) => r.text)).toEqual([
      ":arrow_forward: *step.analyzing* (step 1, canary 10%): canary at 10%\n:white_check_mark: *error-rate* pass: 0.1% ≤ 1%",
      ":white_check_mark: Approved by <@UBOB> (request 1-0)",
      ":rewind: *rollingBack* (step 2, canary 50%): alert HighErrorRate firing",
      ":rewind: *Release rolledBack* after 12m 34s: alert HighErrorRate firing",
    ]);
    expect(t.updates.every((u) => u.ts === ts)).toBe(true);
    expect(t.updates.map((u) => u.text)).toEqual([
      "Release shop/ratings v2.3.0: step.analyzing (step 1, canary 10%)",
      "Release shop/ratings v2.3.0: awaitingApproval (step 1, canary 10%)",
      "Release shop/ratings v2.3.0: awaitingApproval (step 1, canary 10%)",
      "Release shop/ratings v2.3.0: rollingBack (step 2, canary 50%)",
      "Release shop/ratings v2.3.0: rolledBack",
    ]);
    expect(await t.entry()).toMatchObject({ outcome: "rolledBack", weight: 0 });
  });

  it("posts nothing twice on redelivery", async () => {
    const t = setup();
    const req = requested();
    await t.service.handle(req);
    const progressed = env(Event.releaseProgressed, { from: "a", to: "b", event: "tick", reason: "r", weight: 10, seq: 1 });
    await t.service.handle(progressed);
    await t.service.handle(progressed);
    await t.service.handle(req);
    expect(t.posts).toHaveLength(2);
    expect(t.hooks).toHaveLength(4);
  });

  it("starts a thread from the release id when the request was not seen, and fills it in later", async () => {
    const t = setup();
    await t.service.handle(env(Event.releaseProgressed, { from: "a", to: "step.shifting", event: "tick", reason: "r", weight: 10, seq: 1 }));
    expect(t.posts[0]!.channel).toBe("CDEFAULT");
    expect(t.posts[1]!.threadTs).toBe(t.posts[0]!.ts);
    await t.service.handle(requested(["https://hooks.example/late"]));
    expect(await t.entry()).toMatchObject({ tag: "v2.3.0", commit: "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd", webhooks: ["https://hooks.example/late"] });
    expect(JSON.stringify(t.updates.at(-1)!.blocks)).toContain("d2b75aa");
  });

  it("reports a failing webhook without failing the event", async () => {
    const t = setup();
    t.failing.add("https://hooks.example/a");
    await t.service.handle(requested());
    expect(t.errors).toEqual([expect.stringMatching(/^webhook https:\/\/hooks.example\/a for evt.release.requested/)]);
    expect(t.hooks.map((h) => h.url)).toEqual(["https://hooks.example/b"]);
  });

  it("ignores messages without a release id", async () => {
    const t = setup();
    await t.service.handle(env(Event.approvalExpired, { requestId: "x", policy: "reject" }, "m-x", null));
    expect(t.posts).toHaveLength(0);
  });
});

describe("cmd.notify.send", () => {
  it("posts into the release thread, or to the channel", async () => {
    const t = setup();
    await t.service.handle(requested([]));
    await t.service.notify(env(Command.notifySend, { severity: "critical", text: "rollback failed: VirtualService shop/ratings unreachable" }, "n-1"));
    expect(t.posts[1]).toMatchObject({ channel: "CREL", threadTs: t.posts[0]!.ts, text: ":rotating_light: <!here> rollback failed: VirtualService shop/ratings unreachable" });
    await t.service.notify(env(Command.notifySend, { severity: "critical", text: "again" }, "n-1"));
    expect(t.posts).toHaveLength(2);
    await t.service.notify(env(Command.notifySend, { severity: "info", text: "maintenance tonight", channel: "COPS" }, "n-2", null));
    expect(t.posts[2]).toEqual({ channel: "COPS", text: ":information_source: maintenance tonight", ts: expect.any(String) });
  });
});

describe("humanDuration", () => {
  it.each([
    [0, "0s"],
    [59_400, "59s"],
    [3_723_000, "1h 2m 3s"],
  ])("%i ms → %s", (ms, s) => expect(humanDuration(ms)).toBe(s));
});
