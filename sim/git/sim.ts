/**
 * A simulated GitHub webhook sender: builds deliveries with GitHub's headers and real signatures
 * (`X-Hub-Signature-256` via @octokit/webhooks-methods), POSTs them, and can redeliver one.
 */
import { createHmac, randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { buildPingPayload, buildPushPayload, idOf, type GitAccount } from "./payload.js";

/** Options of {@link createSimGit}. */
export interface SimGitOptions {
  /** The webhook URL (release-trigger's `/webhooks/github`). */
  url: string;
  /** The webhook secret; `""` sends unsigned deliveries (GitHub does that when no secret is set). */
  secret: string;
  /** Body encoding, as the hook's "Content type" setting: `json` (default) or `form` (`payload=`). */
  contentType?: "json" | "form";
  /** Clock for payload timestamps (ms). */
  clock?: () => number;
  /** Delivery GUIDs (default crypto.randomUUID). */
  newId?: () => string;
  /** Default pusher. */
  pusher?: GitAccount;
  fetch?: typeof fetch;
}

/** One delivery as sent, kept for redelivery and inspection. */
export interface Delivery {
  deliveryId: string;
  event: string;
  headers: Record<string, string>;
  body: string;
}

/** What the receiver answered. */
export interface DeliveryResult {
  deliveryId: string;
  status: number;
  /** The response body, parsed when JSON. */
  body: unknown;
}

/** Input of `pushTag`. */
export interface PushTagInput {
  /** `owner/name`, e.g. `org/ratings`. */
  repository: string;
  /** Tag name without `refs/tags/`. */
  tag: string;
  /** 40-hex commit SHA. */
  sha: string;
  /** Who pushed (login); the simulator's default otherwise. */
  pusher?: string;
  message?: string;
}

const hookshotVersion = "GitHub-Hookshot/5b2a2d1";

/** Create the simulator. */
export function createSimGit(opts: SimGitOptions) {
  const clock = opts.clock ?? Date.now;
  const newId = opts.newId ?? randomUUID;
  const doFetch = opts.fetch ?? fetch;
  const contentType = opts.contentType ?? "json";
  const hookId = idOf(`hook:${opts.url}`);
  const sent = new Map<string, Delivery>();
  const defaultPusher = opts.pusher ?? { login: "octocat" };

  async function send(d: Delivery): Promise<DeliveryResult> {
    const res = await doFetch(opts.url, { method: "POST", headers: d.headers, body: d.body });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { deliveryId: d.deliveryId, status: res.status, body };
  }

  async function deliver(event: string, repository: string, payload: unknown): Promise<DeliveryResult> {
    const json = JSON.stringify(payload);
    const body = contentType === "form" ? new URLSearchParams({ payload: json }).toString() : json;
    const deliveryId = newId();
    const headers: Record<string, string> = {
      "content-type": contentType === "form" ? "application/x-www-form-urlencoded" : "application/json",
      "user-agent": hookshotVersion,
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": String(hookId),
      "x-github-hook-installation-target-type": "repository",
      "x-github-hook-installation-target-id": String(idOf(`repo:${repository}`)),
    };
    if (opts.secret !== "") {
      headers["x-hub-signature"] = `sha1=${createHmac("sha1", opts.secret).update(body).digest("hex")}`;
      headers["x-hub-signature-256"] = await sign(opts.secret, body);
    }
    const d = { deliveryId, event, headers, body };
    sent.set(deliveryId, d);
    return send(d);
  }

  const at = () => new Date(clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const who = (login?: string): GitAccount => (login === undefined ? defaultPusher : { login });

  return {
    /** Push a new tag: a `push` delivery with `created: true`. */
    pushTag(p: PushTagInput): Promise<DeliveryResult> {
      const payload = buildPushPayload({
        repository: p.repository,
        ref: `refs/tags/${p.tag}`,
        sha: p.sha,
        created: true,
        deleted: false,
        pusher: who(p.pusher),
        ...(p.message === undefined ? {} : { message: p.message }),
        at: at(),
      });
      return deliver("push", p.repository, payload);
    },
    /** Delete a tag: `created: false, deleted: true, after: 000…0, head_commit: null`. */
    deleteTag(p: Omit<PushTagInput, "message">): Promise<DeliveryResult> {
      const payload = buildPushPayload({
        repository: p.repository,
        ref: `refs/tags/${p.tag}`,
        sha: p.sha,
        before: p.sha,
        created: false,
        deleted: true,
        pusher: who(p.pusher),
        at: at(),
      });
      return deliver("push", p.repository, payload);
    },
    /** Push commits to a branch (never a release). */
    pushBranch(p: { repository: string; branch: string; sha: string; pusher?: string }): Promise<DeliveryResult> {
      const payload = buildPushPayload({
        repository: p.repository,
        ref: `refs/heads/${p.branch}`,
        sha: p.sha,
        created: false,
        deleted: false,
        pusher: who(p.pusher),
        baseRef: null,
        at: at(),
      });
      return deliver("push", p.repository, payload);
    },
    /** The `ping` GitHub sends when the hook is created. */
    ping(repository: string): Promise<DeliveryResult> {
      const payload = buildPingPayload({ repository, hookId, url: opts.url, contentType, sender: defaultPusher, at: at() });
      return deliver("ping", repository, payload);
    },
    /** Resend a delivery exactly (same GUID, body and signature), as GitHub's "Redeliver" does. */
    redeliver(deliveryId: string): Promise<DeliveryResult> {
      const d = sent.get(deliveryId);
      if (d === undefined) throw new Error(`sim-git has no delivery ${deliveryId} to redeliver; use an id returned by pushTag/ping`);
      return send(d);
    },
    /** Every delivery sent, oldest first. */
    deliveries(): Delivery[] {
      return [...sent.values()];
    },
  };
}

/** The simulator built by {@link createSimGit}. */
export type SimGit = ReturnType<typeof createSimGit>;
