/**
 * Composition root of the dashboard, started by the runtime's startWorker: the release and thread
 * buckets, one event subscription for every browser, Prometheus, the Kubernetes API for VMIs, and the
 * pages' listener.
 */
import { randomBytes } from "node:crypto";
import { runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { loadKubeConfig } from "../runtime/kube-client.js";
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
export type RunningDashboard = RunningWorker<{
  /** `http://host:port` of the pages. */
  url: string;
}>;

/** Start the dashboard; resolves once every stored release is loaded and the listener is up. */
export function main(env: Env = process.env): Promise<RunningDashboard> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, onStop }) {
      const tokens = cfg.auth.tokens.map(parseTokenEntry);
      if (cfg.auth.anonymousRead) logger.warn("dashboard: anonymous read-only access is enabled (SISKIN_AUTH_ANONYMOUS_READ)");
      if (cfg.auth.trustedProxies.length === 0 && tokens.length === 0 && !cfg.auth.anonymousRead) {
        logger.warn("dashboard: no trusted proxy, no token and no anonymous read: nobody can use it (set SISKIN_AUTH_TRUSTED_PROXIES or SISKIN_AUTH_TOKENS)");
      }
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
      onStop(() => events.stop());
      const heartbeat = setInterval(() => hub.heartbeat(), 15_000);
      heartbeat.unref();
      onStop(() => clearInterval(heartbeat));
      const app = buildApp({ service, hub, auth: { ...cfg.auth, tokens, csrfSecret: cfg.auth.csrfSecret ?? randomBytes(32).toString("base64url") }, logger });
      const url = await app.listen({ host: cfg.listen.host, port: cfg.listen.port });
      onStop(() => app.close());
      // Registered last, so it runs first: the listener's close waits for open streams, so end them.
      onStop(() => hub.closeAll());
      return { url };
    },
    describe: (w) => ({ url: w.url }),
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
