/**
 * The notifier's handlers: one Slack thread per release (a first message kept current with
 * chat.update, one reply per step, verdict, approval, rollback and outcome), the release's generic
 * webhooks, and `cmd.notify.send`. The thread entry in KV remembers handled ids, so a redelivery
 * posts nothing twice.
 */
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { ReleaseRequested } from "../../schemas/release.js";
import { Command, Event, type Subject } from "../../schemas/subjects.js";
import type { Chat, KvStore, Webhooks } from "./ports.js";
import { renderHeader, renderNotice, renderReply } from "./render.js";
import { applyEvent, newEntry, threadKey, type ThreadEntry } from "./thread.js";
import { isConflict } from "../runtime/conflict.js";

/** Dependencies of {@link createService}. */
export interface NotifierDeps {
  chat: Chat;
  webhooks: Webhooks;
  kv: KvStore;
  /** Channel for releases whose rollout names none, and for notices without a release. */
  defaultChannel: string;
  /** Failures that do not stop the handler (a webhook down, a header edit refused). */
  onError?: (err: unknown, what: string) => void;
}

/** Build the handlers. */
export function createService(deps: NotifierDeps) {
  const { chat, kv } = deps;
  const report = deps.onError ?? (() => undefined);

  async function load(releaseId: string): Promise<{ entry: ThreadEntry; revision: number } | null> {
    const e = await kv.get(threadKey(releaseId));
    return e === null ? null : { entry: e.value as ThreadEntry, revision: e.revision };
  }

  /** Load the entry, creating it (from the request when this is one) when absent. */
  async function loadOrCreate(msg: MessageOf<Subject>, releaseId: string): Promise<{ entry: ThreadEntry; revision: number }> {
    const found = await load(releaseId);
    if (found !== null) return found;
    const requested = msg.type === Event.releaseRequested ? (msg.data as ReleaseRequested) : undefined;
    const entry = newEntry(releaseId, deps.defaultChannel, msg.occurredAt, requested);
    try {
      return { entry, revision: await kv.create(threadKey(releaseId), entry) };
    } catch (err) {
      if (!isConflict(err)) throw err;
      const again = await load(releaseId);
      if (again === null) throw new SiskinError("SISKIN_ERR_CONFLICT", `thread of ${releaseId} vanished while being created; retry`);
      return again;
    }
  }

  async function save(releaseId: string, entry: ThreadEntry, revision: number): Promise<number> {
    return kv.update(threadKey(releaseId), entry, revision);
  }

  async function sendWebhooks(urls: string[], msg: MessageOf<Subject>): Promise<void> {
    await Promise.all(
      urls.map((url) => deps.webhooks.post(url, msg).catch((err: unknown) => report(err, `webhook ${url} for ${msg.type} ${msg.id}`))),
    );
  }

  return {
    /** `evt.release.*` and `evt.approval.*` of one release. Messages without a releaseId are skipped. */
    async handle(msg: MessageOf<Subject>): Promise<void> {
      const releaseId = msg.releaseId;
      if (releaseId === undefined) return;
      let { entry, revision } = await loadOrCreate(msg, releaseId);
      if (entry.handled.includes(msg.id)) return;
      let justPosted = false;
      if (entry.ts === undefined) {
        // The first message: posted once, its ts saved before anything else is said.
        const first = await chat.post({ channel: entry.channel, ...renderHeader(entry) });
        entry = { ...entry, ts: first.ts, channel: first.channel };
        revision = await save(releaseId, entry, revision);
        justPosted = true;
      }
      const reply = renderReply(msg);
      if (reply !== null) await chat.post({ channel: entry.channel, threadTs: entry.ts as string, ...reply });
      const next = applyEvent(entry, msg);
      try {
        await save(releaseId, next, revision);
      } catch (err) {
        // Someone else moved the entry (a second replica); redelivery would double-post the reply.
        if (!isConflict(err)) throw err;
        const again = await load(releaseId);
        if (again !== null) await save(releaseId, applyEvent(again.entry, msg), again.revision);
      }
      if (!(justPosted && msg.type === Event.releaseRequested)) {
        await chat.update({ channel: next.channel, ts: next.ts as string, ...renderHeader(next) }).catch((err: unknown) => report(err, `updating the header of ${releaseId}`));
      }
      await sendWebhooks(next.webhooks, msg);
    },

    /** `cmd.notify.send`: into the release's thread when it has one in the same channel, else top level. */
    async notify(msg: MessageOf<typeof Command.notifySend>): Promise<void> {
      const found = msg.releaseId === undefined ? null : await load(msg.releaseId);
      if (found?.entry.handled.includes(msg.id)) return;
      const channel = msg.data.channel ?? found?.entry.channel ?? deps.defaultChannel;
      const threadTs = found?.entry.ts !== undefined && found.entry.channel === channel ? found.entry.ts : undefined;
      await chat.post({ channel, ...(threadTs === undefined ? {} : { threadTs }), ...renderNotice(msg.data) });
      if (found !== null && msg.releaseId !== undefined) {
        await save(msg.releaseId, applyEvent(found.entry, msg), found.revision).catch((err: unknown) => report(err, `recording notice ${msg.id}`));
        await sendWebhooks(found.entry.webhooks, msg);
      }
    },
  };
}

/** The handlers built by {@link createService}. */
export type NotifierService = ReturnType<typeof createService>;
