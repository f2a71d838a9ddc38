/** Connecting to NATS from a {@link NatsConfig}. */
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { SiskinError } from "../../schemas/errors.js";
import type { NatsConfig } from "./config.js";

/**
 * The reply-inbox prefix of a NATS user: `_INBOX_<user>` (characters a subject token cannot hold
 * become `_`). infra/nats grants each user `subscribe: <prefix>.>` and nothing under `_INBOX.>`, so
 * a worker cannot read the replies (publish acks, KV reads, release records) of another.
 */
export function inboxPrefixFor(user: string): string {
  return `_INBOX_${user.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * The connection options for `cfg` (pure, so it is testable): user/pass, token, a creds file read
 * on every (re)connect, TLS files, and reconnecting forever; JetStream state lives on the server.
 */
export function natsConnectOptions(cfg: NatsConfig, name: string): NodeConnectionOptions {
  const opts: NodeConnectionOptions = {
    servers: [...cfg.servers],
    name: cfg.name ?? name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (cfg.user !== undefined || cfg.pass !== undefined) {
    if (cfg.user === undefined || cfg.pass === undefined) {
      throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", "NATS user and password go together: set both SISKIN_NATS_USER and SISKIN_NATS_PASS, or neither");
    }
    opts.user = cfg.user;
    opts.pass = cfg.pass;
  }
  const inboxPrefix = cfg.inboxPrefix ?? (cfg.user === undefined ? undefined : inboxPrefixFor(cfg.user));
  if (inboxPrefix !== undefined) opts.inboxPrefix = inboxPrefix;
  if (cfg.token !== undefined) opts.token = cfg.token;
  if (cfg.credsFile !== undefined) {
    const file = cfg.credsFile;
    opts.authenticator = credsAuthenticator(() => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `cannot read the NATS creds file ${file} (SISKIN_NATS_CREDS_FILE): ${(err as Error).message}`, { cause: err });
      }
    });
  }
  if (cfg.tls !== undefined) {
    opts.tls = {
      ...(cfg.tls.caFile === undefined ? {} : { caFile: cfg.tls.caFile }),
      ...(cfg.tls.certFile === undefined ? {} : { certFile: cfg.tls.certFile }),
      ...(cfg.tls.keyFile === undefined ? {} : { keyFile: cfg.tls.keyFile }),
    };
  }
  return opts;
}

/**
 * Connect to NATS as `name` (the service). Rejects when no server answers the first time; after
 * that the client reconnects forever.
 */
export async function connectNats(cfg: NatsConfig, name: string): Promise<NatsConnection> {
  const opts = natsConnectOptions(cfg, name);
  try {
    return await connect(opts);
  } catch (err) {
    throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `${name}: cannot connect to NATS at ${cfg.servers.join(",")}: ${(err as Error).message}`, { cause: err });
  }
}
