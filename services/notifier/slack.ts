/**
 * The Chat port over @slack/web-api. Rate limits: WebClient is built with
 * `rejectRateLimitedCalls: true`, and this adapter waits out each 429's `Retry-After` with an
 * injectable `sleep` (tests pass a recorder), so the wait is visible and bounded.
 */
import { ErrorCode, WebClient, type WebAPIRateLimitedError } from "@slack/web-api";
import type { Chat } from "./ports.js";

/** A WebClient for the notifier: 429s reach the adapter; network errors retry a little inside. */
export function createWebClient(token: string, slackApiUrl?: string): WebClient {
  return new WebClient(token, {
    ...(slackApiUrl === undefined ? {} : { slackApiUrl }),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  });
}

/** Options of {@link chatOf}. */
export interface SlackChatOptions {
  /** Waits `ms`; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** 429s tolerated per call before giving up (default 5). */
  maxRateLimitRetries?: number;
  /** Told about each wait (metrics, logs). */
  onRateLimited?: (method: string, retryAfterSec: number) => void;
}

function isRateLimited(err: unknown): err is WebAPIRateLimitedError {
  return (err as { code?: unknown }).code === ErrorCode.RateLimitedError;
}

/** The Chat port over `client`. */
export function chatOf(client: WebClient, opts: SlackChatOptions = {}): Chat {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const max = opts.maxRateLimitRetries ?? 5;
  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRateLimited(err) || attempt >= max) throw err;
        opts.onRateLimited?.(method, err.retryAfter);
        await sleep(err.retryAfter * 1000);
      }
    }
  }
  return {
    async post(m) {
      const res = await call("chat.postMessage", () =>
        client.chat.postMessage({
          channel: m.channel,
          text: m.text,
          ...(m.blocks === undefined ? {} : { blocks: m.blocks as never }),
          ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
        }),
      );
      if (res.ts === undefined) throw new Error(`chat.postMessage to ${m.channel} returned no ts`);
      return { channel: res.channel ?? m.channel, ts: res.ts };
    },
    async update(m) {
      await call("chat.update", () => client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, ...(m.blocks === undefined ? {} : { blocks: m.blocks as never }) }));
    },
  };
}
