/** The Webhooks port over fetch: POST the event JSON, optionally signed like GitHub's deliveries. */
import { createHmac } from "node:crypto";
import type { Webhooks } from "./ports.js";

/** Options of {@link createWebhooks}. */
export interface WebhookOptions {
  /** When set, `X-Siskin-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` is sent. */
  secret?: string;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Generic JSON webhooks. */
export function createWebhooks(opts: WebhookOptions = {}): Webhooks {
  const doFetch = opts.fetch ?? fetch;
  return {
    async post(url, body) {
      const json = JSON.stringify(body);
      const env = body as { type?: string; id?: string };
      const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "siskin-notifier" };
      if (typeof env.type === "string") headers["x-siskin-event"] = env.type;
      if (typeof env.id === "string") headers["x-siskin-delivery"] = env.id;
      if (opts.secret !== undefined && opts.secret !== "") headers["x-siskin-signature-256"] = `sha256=${createHmac("sha256", opts.secret).update(json).digest("hex")}`;
      const res = await doFetch(url, { method: "POST", headers, body: json, signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
      if (!res.ok) throw new Error(`webhook POST ${url} answered ${res.status}; check the receiver or remove it from spec.notify.webhooks`);
    },
  };
}
