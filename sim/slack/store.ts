/** sim-slack's memory: channels' messages (with edits), ephemeral messages, response URLs. */

/** A Block Kit block as stored (JSON). */
export type Block = Record<string, unknown>;

/** A message in a channel, as Slack returns it. */
export interface SimMessage {
  type: "message";
  channel: string;
  ts: string;
  /** Set on replies: the parent's ts. Also set on a parent once it has replies. */
  thread_ts?: string;
  text: string;
  blocks?: Block[];
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  edited?: { user: string; ts: string };
  reply_count?: number;
  /** Earlier versions, oldest first (chat.update and response_url replacements). */
  history: Array<{ text: string; blocks?: Block[]; ts: string }>;
}

/** An ephemeral message (visible to one user). */
export interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
  /** `api` (chat.postEphemeral) or `response_url`. */
  via: "api" | "response_url";
  ts: string;
}

/** A response_url handed out with an interaction. */
export interface ResponseUrlEntry {
  id: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  userId: string;
  createdAtMs: number;
  uses: number;
}

/** Slack-style `ts` values: seconds.micros, strictly increasing. */
export function createTsSource(clock: () => number) {
  let last = 0;
  return (): string => {
    let micros = clock() * 1000;
    if (micros <= last) micros = last + 1;
    last = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  };
}

/** Slack gives every block a `block_id`; ours are stable per position so tests can name them. */
export function withBlockIds(blocks: Block[] | undefined, ts: string): Block[] | undefined {
  return blocks?.map((b, i) => (typeof b.block_id === "string" ? b : { ...b, block_id: `b${ts.replace(".", "")}-${i}` }));
}

/** The in-memory store. */
export function createStore() {
  const messages: SimMessage[] = [];
  const ephemerals: SimEphemeral[] = [];
  const responseUrls = new Map<string, ResponseUrlEntry>();

  const find = (channel: string, ts: string) => messages.find((m) => m.channel === channel && m.ts === ts);

  return {
    messages,
    ephemerals,
    responseUrls,
    find,
    /** Add a message; a reply bumps its parent's `reply_count`. */
    add(m: SimMessage): SimMessage {
      messages.push(m);
      if (m.thread_ts !== undefined && m.thread_ts !== m.ts) {
        const parent = find(m.channel, m.thread_ts);
        if (parent !== undefined) {
          parent.thread_ts = parent.ts;
          parent.reply_count = (parent.reply_count ?? 0) + 1;
        }
      }
      return m;
    },
    /** Replace text/blocks, keeping the previous version in `history`. */
    edit(m: SimMessage, next: { text: string; blocks?: Block[] }, by: string, ts: string): SimMessage {
      m.history.push({ text: m.text, ...(m.blocks === undefined ? {} : { blocks: m.blocks }), ts: m.edited?.ts ?? m.ts });
      m.text = next.text;
      if (next.blocks === undefined) delete m.blocks;
      else m.blocks = next.blocks;
      m.edited = { user: by, ts };
      return m;
    },
    remove(m: SimMessage): void {
      const i = messages.indexOf(m);
      if (i >= 0) messages.splice(i, 1);
    },
    /** Messages of a channel (all when omitted); with `threadTs`, the parent and its replies. */
    list(filter: { channel?: string; threadTs?: string } = {}): SimMessage[] {
      return messages.filter(
        (m) =>
          (filter.channel === undefined || m.channel === filter.channel) &&
          (filter.threadTs === undefined || m.ts === filter.threadTs || m.thread_ts === filter.threadTs),
      );
    },
  };
}

/** The store built by {@link createStore}. */
export type SimStore = ReturnType<typeof createStore>;
