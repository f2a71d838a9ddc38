/**
 * approval-gateway's handlers: post approval requests into the release's Slack thread, take
 * decisions from approvers, expire requests on ticks, withdraw them on cancel. Every state change is
 * a revision-checked KV write first, so two clicks (or two replicas) decide once.
 */
import type { ApprovalCancel, ApprovalRequest } from "../../schemas/approval.js";
import { SiskinError } from "../../schemas/errors.js";
import { Event } from "../../schemas/subjects.js";
import { renderApproval } from "./blocks.js";
import type { Chat, Directory, KvStore, Publisher } from "./ports.js";
import { checkApprover } from "../../workflows/approval-policy.js";
import {
  approvalKey,
  isExpired,
  outcomeMsgId,
  pendingWork,
  threadKey,
  type ApprovalRecord,
} from "./policy.js";
import { isConflict } from "../runtime/conflict.js";

/** Dependencies of {@link createService}. */
export interface ApprovalDeps {
  chat: Chat;
  directory: Directory;
  kv: KvStore;
  publisher: Publisher;
  clock: () => number;
  /** Channel used when neither the request nor the release thread names one. */
  defaultChannel: string;
  /** Where failures of best-effort steps go (Slack updates retried by the tick). */
  onError?: (err: unknown, what: string) => void;
}

/** A request or cancel as it arrives (the envelope's releaseId and id matter). */
export interface Incoming<D> {
  id: string;
  releaseId?: string;
  data: D;
}

/** A click on Approve or Reject. */
export interface Decision {
  releaseId: string;
  requestId: string;
  decision: "approve" | "reject";
  user: { id: string; name?: string };
}

/** What became of a click; anything but `decided` is told to the clicker alone. */
export type DecideResult =
  | { kind: "decided"; status: "granted" | "denied" }
  | { kind: "refused"; text: string }
  | { kind: "closed"; text: string }
  | { kind: "unknown"; text: string };

/** Build the handlers. */
export function createService(deps: ApprovalDeps) {
  const { kv, chat, publisher } = deps;
  const report = deps.onError ?? (() => undefined);

  async function load(key: string): Promise<{ record: ApprovalRecord; revision: number } | null> {
    const e = await kv.get(key);
    return e === null ? null : { record: e.value as ApprovalRecord, revision: e.revision };
  }

  /** Write with a revision check; null when someone else changed the record first. */
  async function save(key: string, record: ApprovalRecord, revision: number): Promise<number | null> {
    try {
      return await kv.update(key, record, revision);
    } catch (err) {
      if (isConflict(err)) return null;
      throw err;
    }
  }

  /** Publish the outcome and update the message; each step is recorded so a tick can finish it. */
  async function finish(key: string, record: ApprovalRecord, revision: number): Promise<void> {
    let rev = revision;
    const work = pendingWork(record);
    if (work.publish) {
      const id = outcomeMsgId(record.releaseId, record.requestId);
      if (record.status === "expired") {
        await publisher.publish(Event.approvalExpired, { id, releaseId: record.releaseId, data: { requestId: record.requestId, policy: record.request.onTimeout } });
      } else if ((record.status === "granted" || record.status === "denied") && record.decidedBy !== undefined) {
        const subject = record.status === "granted" ? Event.approvalGranted : Event.approvalDenied;
        await publisher.publish(subject, {
          id,
          releaseId: record.releaseId,
          data: {
            requestId: record.requestId,
            actor: record.decidedBy,
            ...(record.decidedVia === undefined ? {} : { via: record.decidedVia }),
            at: record.closedAt ?? deps.clock(),
          },
        });
      }
      record.published = true;
      rev = (await save(key, record, rev)) ?? rev;
    }
    if (work.message && record.ts !== undefined) {
      try {
        await chat.update({ channel: record.channel, ts: record.ts, ...renderApproval(record) });
        record.messageUpdated = true;
        await save(key, record, rev);
      } catch (err) {
        report(err, `updating approval message ${record.channel}/${record.ts}`);
      }
    }
  }

  /** Close an open record (revision-checked); false when it was no longer open. */
  async function close(key: string, loaded: { record: ApprovalRecord; revision: number }, patch: Partial<ApprovalRecord>): Promise<boolean> {
    const next: ApprovalRecord = { ...loaded.record, closedAt: deps.clock(), ...patch, published: false, messageUpdated: false };
    const rev = await save(key, next, loaded.revision);
    if (rev === null) return false;
    await finish(key, next, rev);
    return true;
  }

  async function post(key: string, record: ApprovalRecord, revision: number): Promise<void> {
    const msg = await chat.post({ channel: record.channel, ...(record.threadTs === undefined ? {} : { threadTs: record.threadTs }), ...renderApproval(record) });
    record.ts = msg.ts;
    if ((await save(key, record, revision)) === null) {
      throw new SiskinError("SISKIN_ERR_CONFLICT", `approval ${key} changed while its message was posted; the redelivery reconciles it`);
    }
  }

  async function isApprover(userId: string, approvers: ApprovalRequest["approvers"]) {
    const members = new Map<string, string[]>();
    let first = checkApprover(userId, approvers, members);
    if (first.allowed || approvers.groups.length === 0) return first;
    for (const g of approvers.groups) members.set(g, await deps.directory.groupMembers(g));
    first = checkApprover(userId, approvers, members);
    return first;
  }

  /** Where the release stands, from the notifier's thread entry (same bucket). */
  async function releaseStatus(releaseId: string): Promise<string> {
    const t = (await kv.get(threadKey(releaseId)).catch(() => null))?.value as { state?: string; outcome?: string; weight?: number } | undefined;
    if (t === undefined) return `release ${releaseId} is not known to Siskin`;
    if (t.outcome !== undefined) return `release ${releaseId} is ${t.outcome}`;
    return `release ${releaseId} is ${t.state ?? "in progress"}${t.weight === undefined ? "" : ` at ${t.weight} %`}`;
  }

  /** The ephemeral answer to a click on a button Siskin no longer serves. */
  async function staleText(releaseId: string, r: ApprovalRecord | null): Promise<string> {
    const release = await releaseStatus(releaseId);
    if (r === null) return `This request is no longer valid: ${release}.`;
    const who = r.decidedBy === undefined ? "" : ` by <@${r.decidedBy.id}>`;
    const why = r.status === "cancelled" && r.reason !== undefined ? ` (${r.reason})` : "";
    return `This request is no longer valid: ${release}; the request was ${r.status}${who}${why}.`;
  }

  return {
    /** `cmd.approval.request`: post once (redeliveries find the record), then `evt.approval.requested`. */
    async request(msg: Incoming<ApprovalRequest>): Promise<void> {
      const releaseId = msg.releaseId;
      if (releaseId === undefined) {
        throw new SiskinError("SISKIN_ERR_INVALID_MESSAGE", `cmd.approval.request ${msg.id} has no releaseId in its envelope; the orchestrator must set it`);
      }
      const req = msg.data;
      const key = approvalKey(releaseId, req.requestId);
      let loaded = await load(key);
      if (loaded === null) {
        const thread = (await kv.get(threadKey(releaseId)))?.value as { channel?: string; ts?: string } | undefined;
        const channel = req.channel ?? thread?.channel ?? deps.defaultChannel;
        const threadTs = thread?.channel === channel ? thread.ts : undefined;
        const record: ApprovalRecord = {
          releaseId,
          requestId: req.requestId,
          request: req,
          channel,
          ...(threadTs === undefined ? {} : { threadTs }),
          status: "open",
          published: false,
          messageUpdated: false,
        };
        try {
          loaded = { record, revision: await kv.create(key, record) };
        } catch (err) {
          if (!isConflict(err)) throw err;
          loaded = await load(key);
          if (loaded === null) throw new SiskinError("SISKIN_ERR_CONFLICT", `approval ${key} vanished during creation; retry`);
        }
      }
      const { record } = loaded;
      if (record.status === "cancelled") return;
      if (record.ts === undefined && record.status === "open") await post(key, record, loaded.revision);
      if (record.ts === undefined) return;
      await publisher.publish(Event.approvalRequested, {
        id: `approval-requested:${releaseId}:${req.requestId}`,
        releaseId,
        causationId: msg.id,
        data: { requestId: req.requestId, channel: record.channel, ts: record.ts },
      });
    },

    /** A click. Only listed approvers (users or group members) decide; the first decision wins. */
    async decide(d: Decision): Promise<DecideResult> {
      const key = approvalKey(d.releaseId, d.requestId);
      const loaded = await load(key);
      if (loaded === null) return { kind: "unknown", text: await staleText(d.releaseId, null) };
      const r = loaded.record;
      if (r.status !== "open") return { kind: "closed", text: await staleText(d.releaseId, r) };
      if (isExpired(r, deps.clock())) {
        await close(key, loaded, { status: "expired" });
        return { kind: "closed", text: await staleText(d.releaseId, { ...r, status: "expired" }) };
      }
      const check = await isApprover(d.user.id, r.request.approvers).catch((err: unknown) => {
        report(err, `checking approver ${d.user.id}`);
        return { allowed: false as const, reason: "Siskin could not check your user groups with Slack; try again in a minute" };
      });
      if (!check.allowed) return { kind: "refused", text: `You cannot decide this request: ${check.reason}.` };
      const status = d.decision === "approve" ? "granted" : "denied";
      const decidedBy = { kind: "slack" as const, id: d.user.id, ...(d.user.name === undefined ? {} : { name: d.user.name }) };
      if (!(await close(key, loaded, { status, decidedBy, decidedVia: check.via }))) {
        const now = await load(key);
        return { kind: "closed", text: await staleText(d.releaseId, now?.record ?? null) };
      }
      return { kind: "decided", status };
    },

    /** `cmd.approval.cancel`: withdraw (a tombstone when the request has not arrived yet). */
    async cancel(msg: Incoming<ApprovalCancel>): Promise<void> {
      const releaseId = msg.releaseId;
      if (releaseId === undefined) {
        throw new SiskinError("SISKIN_ERR_INVALID_MESSAGE", `cmd.approval.cancel ${msg.id} has no releaseId in its envelope; the orchestrator must set it`);
      }
      const key = approvalKey(releaseId, msg.data.requestId);
      const loaded = await load(key);
      if (loaded === null) {
        const tomb = { releaseId, requestId: msg.data.requestId, status: "cancelled", reason: msg.data.reason, closedAt: deps.clock(), published: true, messageUpdated: true };
        await kv.create(key, tomb).catch((err: unknown) => {
          if (!isConflict(err)) throw err;
        });
        return;
      }
      if (loaded.record.status !== "open") return;
      if (!(await close(key, loaded, { status: "cancelled", reason: msg.data.reason }))) {
        throw new SiskinError("SISKIN_ERR_CONFLICT", `approval ${key} changed while being withdrawn; retry`);
      }
    },

    /** Expire open requests past their deadline; finish closed ones whose event or message is pending. */
    async tick(now: number): Promise<{ expired: number; finished: number }> {
      let expired = 0;
      let finished = 0;
      for (const key of await kv.keys()) {
        if (!key.startsWith("approval.")) continue;
        const loaded = await load(key);
        if (loaded === null || loaded.record.request === undefined) continue;
        const r = loaded.record;
        if (isExpired(r, now)) {
          if (await close(key, loaded, { status: "expired", closedAt: now })) expired++;
        } else {
          const work = pendingWork(r);
          if (work.publish || work.message) {
            await finish(key, r, loaded.revision);
            finished++;
          }
        }
      }
      return { expired, finished };
    },
  };
}

/** The handlers built by {@link createService}. */
export type ApprovalService = ReturnType<typeof createService>;
