// Pure: a release's thread entry (kept in KV `Bucket.threads`) and how each event moves it. No I/O.
import type { MessageOf } from "../../schemas/codec.js";
import type { ReleaseOutcome, ReleaseRequested } from "../../schemas/release.js";
import { Event, releaseKey, type Subject } from "../../schemas/subjects.js";

/** The KV key of a release's thread. */
export function threadKey(releaseId: string): string {
  return `thread.${releaseKey(releaseId)}`;
}

/** How many handled message ids a thread remembers, so a redelivery posts nothing twice. */
export const rememberedIds = 200;

/** A release's Slack thread and what it shows. */
export interface ThreadEntry {
  releaseId: string;
  channel: string;
  /** The first message; absent until posted. */
  ts?: string;
  rollout: { namespace: string; name: string };
  version: string;
  tag?: string;
  commit?: string;
  repository?: string;
  requestedBy?: ReleaseRequested["requestedBy"];
  /** Generic webhook URLs from `spec.notify.webhooks`, fixed when the release started. */
  webhooks: string[];
  dashboardUrl?: string;
  /** The statechart state, e.g. `step.analyzing`, or `requested`. */
  state: string;
  weight: number;
  step?: number;
  outcome?: ReleaseOutcome;
  /** The last reason given. */
  reason?: string;
  /** ISO time the release was asked for. */
  startedAt: string;
  /** Envelope ids already handled (newest last). */
  handled: string[];
}

/** Split `<ns>/<rollout>/<version>`. */
export function parseReleaseId(releaseId: string): { namespace: string; name: string; version: string } {
  const [namespace = "", name = "", ...rest] = releaseId.split("/");
  return { namespace, name, version: rest.join("/") };
}

/** A new entry: from `evt.release.requested` when the notifier saw it, else from the release id alone. */
export function newEntry(releaseId: string, defaultChannel: string, occurredAt: string, requested?: ReleaseRequested): ThreadEntry {
  if (requested === undefined) {
    const { namespace, name, version } = parseReleaseId(releaseId);
    return { releaseId, channel: defaultChannel, rollout: { namespace, name }, version, webhooks: [], state: "unknown", weight: 0, startedAt: occurredAt, handled: [] };
  }
  const notify = requested.spec.notify;
  return {
    releaseId,
    channel: notify?.slackChannel ?? defaultChannel,
    rollout: { namespace: requested.rollout.namespace, name: requested.rollout.name },
    version: requested.version,
    ...(requested.tag === undefined ? {} : { tag: requested.tag }),
    ...(requested.commit === undefined ? {} : { commit: requested.commit }),
    ...(requested.repository === undefined ? {} : { repository: requested.repository }),
    requestedBy: requested.requestedBy,
    webhooks: [...(notify?.webhooks ?? [])],
    ...(notify?.dashboardUrl === undefined ? {} : { dashboardUrl: notify.dashboardUrl }),
    state: "requested",
    weight: 0,
    startedAt: occurredAt,
    handled: [],
  };
}

/** The entry after `msg`; `handled` gains its id. */
export function applyEvent(e: ThreadEntry, msg: MessageOf<Subject>): ThreadEntry {
  const next: ThreadEntry = { ...e, handled: [...e.handled, msg.id].slice(-rememberedIds) };
  switch (msg.type) {
    case Event.releaseProgressed: {
      const d = (msg as MessageOf<typeof Event.releaseProgressed>).data;
      next.state = d.to;
      next.weight = d.weight;
      next.reason = d.reason;
      if (d.step === undefined) delete next.step;
      else next.step = d.step;
      break;
    }
    case Event.releaseCompleted: {
      const d = (msg as MessageOf<typeof Event.releaseCompleted>).data;
      next.outcome = d.outcome;
      next.state = d.outcome;
      next.reason = d.reason;
      if (d.outcome === "promoted") next.weight = 100;
      else if (d.outcome !== "superseded") next.weight = 0;
      break;
    }
    case Event.releaseSuperseded:
      next.reason = `superseded by ${(msg as MessageOf<typeof Event.releaseSuperseded>).data.by}`;
      break;
    case Event.approvalRequested:
      next.state = "awaitingApproval";
      break;
    case Event.releaseRequested: {
      // Arrived after other events of the release (the entry was made from the id alone): fill it in.
      const full = newEntry(e.releaseId, e.channel, e.startedAt, (msg as MessageOf<typeof Event.releaseRequested>).data);
      for (const k of ["tag", "commit", "repository", "requestedBy", "dashboardUrl"] as const) {
        if (next[k] === undefined && full[k] !== undefined) Object.assign(next, { [k]: full[k] });
      }
      if (next.webhooks.length === 0) next.webhooks = full.webhooks;
      if (next.state === "unknown") next.state = "requested";
      break;
    }
    default:
      break;
  }
  return next;
}
