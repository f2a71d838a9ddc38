// Pure Slack rendering of a release thread: the first message (kept current) and one reply per event.
import type { MessageOf } from "../../schemas/codec.js";
import type { NotifySend } from "../../schemas/control.js";
import type { ReleaseOutcome } from "../../schemas/release.js";
import { Event, type Subject } from "../../schemas/subjects.js";
import type { Block } from "./ports.js";
import type { ThreadEntry } from "./thread.js";

const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const outcomeIcon: Record<ReleaseOutcome, string> = {
  promoted: ":white_check_mark:",
  rolledBack: ":rewind:",
  aborted: ":octagonal_sign:",
  superseded: ":fast_forward:",
  failed: ":x:",
};
const verdictIcon = { pass: ":white_check_mark:", fail: ":x:", inconclusive: ":grey_question:", error: ":warning:" } as const;
const severityIcon = { info: ":information_source:", warning: ":warning:", critical: ":rotating_light:" } as const;

/** `1h 2m 3s`. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [[Math.floor(s / 3600), "h"], [Math.floor((s % 3600) / 60), "m"], [s % 60, "s"]] as const;
  const out = parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`);
  return out.length === 0 ? "0s" : out.join(" ");
}

function commitLink(e: ThreadEntry): string | undefined {
  if (e.commit === undefined) return undefined;
  const short = e.commit.slice(0, 7);
  return e.repository === undefined ? `\`${short}\`` : `<https://github.com/${e.repository}/commit/${e.commit}|\`${short}\`>`;
}

function stateLine(e: ThreadEntry): string {
  if (e.outcome !== undefined) return `${outcomeIcon[e.outcome]} ${e.outcome}`;
  const step = e.step === undefined ? "" : `step ${e.step + 1}, `;
  return `:hourglass_flowing_sand: ${e.state} (${step}canary ${e.weight}%)`;
}

/** The first message of the thread, showing the release and its current state. */
export function renderHeader(e: ThreadEntry): { text: string; blocks: Block[] } {
  const title = `${e.rollout.namespace}/${e.rollout.name} ${e.version}`;
  const fields = [mrkdwn(`*Version*\n\`${e.version}\``), mrkdwn(`*Tag*\n${e.tag === undefined ? "_none_" : `\`${e.tag}\``}`)];
  const commit = commitLink(e);
  fields.push(mrkdwn(`*Commit*\n${commit ?? "_unknown_"}`));
  if (e.requestedBy !== undefined) fields.push(mrkdwn(`*Requested by*\n${e.requestedBy.kind === "slack" ? `<@${e.requestedBy.id}>` : `${e.requestedBy.kind}:${e.requestedBy.id}`}`));
  const context = [`release \`${e.releaseId}\``];
  if (e.repository !== undefined) context.push(e.repository);
  if (e.dashboardUrl !== undefined) context.push(`<${e.dashboardUrl}|Dashboard>`);
  const state = stateLine(e);
  return {
    text: `Release ${title}: ${state.replace(/^:[a-z_]+: /, "")}`,
    blocks: [
      { type: "section", text: mrkdwn(`:rocket: *Release ${title}*`), fields },
      { type: "section", text: mrkdwn(`*State*: ${state}${e.reason === undefined ? "" : `\n${e.reason}`}`) },
      { type: "context", elements: [mrkdwn(context.join(" · "))] },
    ],
  };
}

/** The reply an event adds to the thread; null when the event shows only in the header. */
export function renderReply(msg: MessageOf<Subject>): { text: string; blocks?: Block[] } | null {
  switch (msg.type) {
    case Event.releaseProgressed: {
      const d = (msg as MessageOf<typeof Event.releaseProgressed>).data;
      const icon = /rollingBack|rolledBack/.test(d.to) ? ":rewind:" : d.to.includes("paused") ? ":double_vertical_bar:" : ":arrow_forward:";
      const step = d.step === undefined ? "" : `step ${d.step + 1}, `;
      const who = d.actor === undefined ? "" : ` by ${d.actor.kind === "slack" ? `<@${d.actor.id}>` : d.actor.id}`;
      const head = `${icon} *${d.to}* (${step}canary ${d.weight}%)${who}: ${d.reason}`;
      const lines = (d.verdicts ?? []).map((v) => `${verdictIcon[v.verdict]} *${v.metric}* ${v.verdict}: ${v.reason}`);
      return { text: [head, ...lines].join("\n") };
    }
    case Event.releaseCompleted: {
      const d = (msg as MessageOf<typeof Event.releaseCompleted>).data;
      const approved = (d.approvedBy ?? []).map((a) => (a.kind === "slack" ? `<@${a.id}>` : a.id));
      const tail = approved.length === 0 ? "" : `\nApproved by ${approved.join(", ")}`;
      return { text: `${outcomeIcon[d.outcome]} *Release ${d.outcome}* after ${humanDuration(d.durationMs)}: ${d.reason}${tail}` };
    }
    case Event.releaseSuperseded:
      return { text: `:fast_forward: Superseded by \`${(msg as MessageOf<typeof Event.releaseSuperseded>).data.by}\`` };
    case Event.approvalGranted:
    case Event.approvalDenied: {
      const d = (msg as MessageOf<typeof Event.approvalGranted>).data;
      const verb = msg.type === Event.approvalGranted ? ":white_check_mark: Approved" : ":no_entry: Rejected";
      return { text: `${verb} by ${d.actor.kind === "slack" ? `<@${d.actor.id}>` : d.actor.id} (request ${d.requestId})${d.comment === undefined ? "" : `: ${d.comment}`}` };
    }
    case Event.approvalExpired: {
      const d = (msg as MessageOf<typeof Event.approvalExpired>).data;
      return { text: `:hourglass: Approval ${d.requestId} expired; treated as ${d.policy === "approve" ? "approved" : "rejected"}` };
    }
    default:
      // evt.release.requested is the header itself; evt.approval.requested is the gateway's own message.
      return null;
  }
}

/** A `cmd.notify.send` message. */
export function renderNotice(d: NotifySend): { text: string } {
  return { text: `${severityIcon[d.severity]} ${d.severity === "critical" ? "<!here> " : ""}${d.text}` };
}
