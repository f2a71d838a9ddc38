/**
 * Composition root of the dashboard: config, NATS (release and thread buckets, one event
 * subscription for every browser), Prometheus, the Kubernetes API for VMIs, the pages' listener, health.
 */
import { randomBytes } from "node:crypto";
import { Registry as PromRegistry } from "prom-client";
import { loadKubeConfig } from "../runtime/kube-client.js";
import { connectNats, createLogger, runIfMain, startHealthServer, stopOnce } from "../runtime/index.js";
import { parseTokenEntry } from "./auth.js";
import { load } from "./config.js";
import { createHub } from "./hub.js";
import { buildApp } from "./http.js";
import { kubeVmis } from "./kube.js";
import { eventStream, kvReleaseEntries, kvThreads, natsControl } from "./nats.js";
import { prometheusRange } from "./prometheus.js";
import { createService } from "./service.js";

const SERVICE = "dashboard";

/** A running dashboard. */
export interface RunningDashboard {
  /** `http://host:port` of the pages. */
  url: string;
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start the dashboard; resolves once the listener is up and every stored release is loaded. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningDashboard> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const tokens = cfg.auth.tokens.map(parseTokenEntry);
  if (cfg.auth.anonymousRead) logger.warn("dashboard: anonymous read-only access is enabled (SISKIN_AUTH_ANONYMOUS_READ)");
  if (cfg.auth.trustedProxies.length === 0 && tokens.length === 0 && !cfg.auth.anonymousRead) {
    logger.warn("dashboard: no trusted proxy, no token and no anonymous read: nobody can use it (set SISKIN_AUTH_TRUSTED_PROXIES or SISKIN_AUTH_TOKENS)");
  }
  const nc = await connectNats(cfg.nats, SERVICE);
  const hub = createHub();
  const service = createService({
    entries: await kvReleaseEntries(nc),
    threads: await kvThreads(nc),
    control: natsControl(nc),
    hub,
    ...(cfg.prometheusUrl === undefined ? {} : { metrics: prometheusRange(cfg.prometheusUrl) }),
    vmis: kubeVmis(loadKubeConfig(cfg.kubeconfig)),
    clock: Date.now,
    ...(cfg.slackWorkspaceUrl === undefined ? {} : { slackWorkspaceUrl: cfg.slackWorkspaceUrl }),
    operators: cfg.auth.operators,
    onError: (err, what) => logger.warn({ err }, `dashboard: ${what} failed`),
  });
  await service.init();
  const events = eventStream(nc, Date.now() - cfg.historyHours * 3600_000, (subject, err) => logger.warn({ subject, err }, "dashboard: skipping an undecodable event"));
  await events.start((msg) => void service.ingest(msg));
  const heartbeat = setInterval(() => hub.heartbeat(), 15_000);
  heartbeat.unref();

  const app = buildApp({
    service,
    hub,
    auth: { ...cfg.auth, tokens, csrfSecret: cfg.auth.csrfSecret ?? randomBytes(32).toString("base64url") },
    logger,
  });
  const url = await app.listen({ host: cfg.listen.host, port: cfg.listen.port });
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry: new PromRegistry(), ready: () => !nc.isClosed() });
  logger.info({ url, health: health.url }, "dashboard started");

  return {
    url,
    healthUrl: health.url,
    stop: stopOnce(
      async () => clearInterval(heartbeat),
      async () => hub.closeAll(),
      () => app.close(),
      () => health.close(),
      () => events.stop(),
      () => nc.drain(),
    ),
  };
}

runIfMain(import.meta.url, SERVICE, () => main());
