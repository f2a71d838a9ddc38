/**
 * alert-ingest: an Alertmanager webhook body in, `evt.alert.fired` / `evt.alert.resolved` out for
 * every alert that maps to a release in flight. Stateless; JetStream drops repeated notifications.
 */
import type { AlertmanagerWebhook } from "../../schemas/alert.js";
import { SiskinError } from "../../schemas/errors.js";
import { mapWebhook, routeOf, type AlertRoute, type IgnoredAlert } from "./evaluate.js";
import type { Log, PublishAlert, RolloutIndex } from "./ports.js";
import { silentLog } from "../runtime/ports.js";

/** alert-ingest's dependencies. */
export interface AlertIngestDeps {
  index: RolloutIndex;
  publish: PublishAlert;
  log?: Log;
}

/** What one webhook did; `accepted` and `ignored` are the HTTP answer. */
export interface IngestResult {
  /** Alerts that mapped to at least one release. */
  accepted: number;
  ignored: IgnoredAlert[];
  /** Events published (new to JetStream). */
  published: number;
  /** Events JetStream already had (a repeated notification). */
  duplicates: number;
}


/** Build alert-ingest's handler. */
export function createService(deps: AlertIngestDeps) {
  const log = deps.log ?? silentLog;

  async function routes(): Promise<AlertRoute[]> {
    const out: AlertRoute[] = [];
    for (const entry of await deps.index.list()) {
      const r = routeOf(entry);
      if ("problem" in r) log.warn({ releaseId: entry.releaseId }, r.problem);
      else out.push(r);
    }
    return out;
  }

  /**
   * Map and publish one webhook body (already validated). Throws a retryable SiskinError when the
   * index cannot be read or an event cannot be published: the HTTP layer answers 503 and
   * Alertmanager sends the notification again.
   */
  async function ingest(body: AlertmanagerWebhook): Promise<IngestResult> {
    let live: AlertRoute[];
    try {
      live = await routes();
    } catch (err) {
      throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `alert-ingest: reading the live-release index failed: ${(err as Error).message}`, { cause: err });
    }
    if ((body.truncatedAlerts ?? 0) > 0) {
      log.warn({ truncatedAlerts: body.truncatedAlerts, groupKey: body.groupKey }, "Alertmanager truncated the group (max_alerts); some alerts were not delivered");
    }
    const mapping = mapWebhook(body, live);
    let published = 0;
    let duplicates = 0;
    for (const m of mapping.messages) {
      try {
        const r = await deps.publish(m.subject, { id: m.id, releaseId: m.releaseId, data: m.data });
        if (r.duplicate) duplicates++;
        else published++;
      } catch (err) {
        throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `alert-ingest: publishing ${m.subject} for ${m.releaseId} failed: ${(err as Error).message}`, { cause: err });
      }
      log.info({ releaseId: m.releaseId, subject: m.subject, alertname: m.data.alertname, fingerprint: m.data.fingerprint }, "alert mapped");
    }
    return { accepted: mapping.accepted, ignored: mapping.ignored, published, duplicates };
  }

  return { ingest };
}

/** alert-ingest's handler. */
export type AlertIngestService = ReturnType<typeof createService>;
