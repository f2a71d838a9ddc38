/**
 * Reads the world after the run, for the invariant checker: each release's KV entry (final state and
 * audit history), every `evt.release.completed` in the EVENTS stream (R3: it survives node restarts),
 * and the Slack messages (approval requests and outcome replies per release).
 */
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { decode } from "../../schemas/codec.js";
import { Event, Stream, releaseKey } from "../../schemas/subjects.js";
import type { JsonKv } from "../../services/runtime/index.js";
import type { SlackMessage } from "../cli/demo/ports.js";
import type { ScriptedRelease } from "./script.js";

/** One audit entry of a release (services/orchestrator/host-messages.ts AuditEntry). */
export interface AuditLine {
  seq: number;
  event: string;
  from: string;
  to: string;
  reason: string;
  actor?: { kind: string; id: string; name?: string };
  at: number;
}

/** What the world says about one release. */
export interface ReleaseFacts {
  releaseId: string;
  /** The KV entry's audit history (empty when there is no entry). */
  audit: AuditLine[];
  /** Outcomes of the distinct `evt.release.completed` messages (by envelope id). */
  completed: string[];
  /** Approval request messages in Slack for this release. */
  approvalMessages: number;
  /** "Release promoted" replies in the release's Slack thread. */
  promotedReplies: number;
}

/** Distinct `evt.release.completed` per release, read from the start of the EVENTS stream. */
export async function completedEvents(nc: NatsConnection): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const seen = new Set<string>();
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(Stream.events.name)).state.last_seq;
  if (last === 0) return out;
  const consumer = await jetstream(nc).consumers.get(Stream.events.name, { filter_subjects: Event.releaseCompleted, deliver_policy: DeliverPolicy.All });
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
    let n = 0;
    let done = false;
    for await (const m of batch) {
      n++;
      const msg = decode(Event.releaseCompleted, m.data);
      const id = msg.releaseId ?? "";
      if (!seen.has(msg.id)) {
        seen.add(msg.id);
        out.set(id, [...(out.get(id) ?? []), msg.data.outcome]);
      }
      if (m.seq >= last) done = true;
    }
    if (done || n === 0) return out;
  }
}

const approvalOf = (r: ScriptedRelease) => `${r.namespace}/${r.service} ${r.version}: step`;
const threadOf = (r: ScriptedRelease) => `Release ${r.namespace}/${r.service} ${r.version}:`;

/** The facts of every scripted release. */
export async function collectFacts(script: readonly ScriptedRelease[], releases: JsonKv, nc: NatsConnection, slack: readonly SlackMessage[]): Promise<Map<string, ReleaseFacts>> {
  const completed = await completedEvents(nc);
  const parents = new Map<string, string>();
  for (const m of slack) if (m.thread_ts === undefined || m.thread_ts === m.ts) parents.set(m.ts, m.text);
  const out = new Map<string, ReleaseFacts>();
  for (const r of script) {
    const entry = await releases.get(releaseKey(r.releaseId));
    const audit = ((entry?.value as { audit?: AuditLine[] } | undefined)?.audit ?? []).slice();
    const approvalMessages = slack.filter((m) => {
      const all = JSON.stringify([m.text, m.blocks ?? [], m.history ?? []]);
      return all.includes("siskin_approval_actions") && all.includes(approvalOf(r));
    }).length;
    const promotedReplies = slack.filter((m) => m.thread_ts !== undefined && m.thread_ts !== m.ts && (parents.get(m.thread_ts) ?? "").startsWith(threadOf(r)) && m.text.includes("*Release promoted*")).length;
    out.set(r.releaseId, { releaseId: r.releaseId, audit, completed: completed.get(r.releaseId) ?? [], approvalMessages, promotedReplies });
  }
  return out;
}
