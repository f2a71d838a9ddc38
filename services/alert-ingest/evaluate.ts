/**
 * Mapping of Alertmanager alerts to releases in flight. Pure.
 *
 * An alert maps to a release when either
 * - its labels name the release's namespace (`namespace` or `destination_workload_namespace`) and
 *   service (`service`, `app`, `destination_canonical_service` or `destination_service_name`), or
 * - it carries every label of one of the rollout's alert matchers (`{{version}}` = the canary version);
 * and it names no version other than the canary's (`version`, `destination_version`,
 * `destination_canonical_revision` or the rollout's version label): an alert about stable is not the
 * canary's fault.
 */
import type { AlertEvent, AlertmanagerWebhook } from "../../schemas/alert.js";
import type { AlertIndexEntry } from "../../schemas/rollout-index.js";
import { Event } from "../../schemas/subjects.js";
import { labelsFingerprint } from "./fingerprint.js";

/** What alert-ingest needs to know of one release in flight. */
export interface AlertRoute {
  releaseId: string;
  namespace: string;
  rollout: string;
  /** Absent: only the matchers map alerts to this release. */
  service?: string;
  canaryVersion: string;
  versionLabel?: string;
  matchers: Array<Record<string, string>>;
}

/** An event to publish for a mapped alert. */
export interface AlertMessage {
  subject: typeof Event.alertFired | typeof Event.alertResolved;
  /** JetStream msgID: a repeated notification of the same alert state is dropped by the server. */
  id: string;
  releaseId: string;
  data: AlertEvent;
}

/** An alert that maps to no release, and why. */
export interface IgnoredAlert {
  fingerprint: string;
  reason: string;
}

/** The outcome of mapping one webhook. */
export interface WebhookMapping {
  messages: AlertMessage[];
  /** Alerts that mapped to at least one release. */
  accepted: number;
  ignored: IgnoredAlert[];
}

export const NAMESPACE_LABELS = ["namespace", "destination_workload_namespace"] as const;
export const SERVICE_LABELS = ["service", "app", "destination_canonical_service", "destination_service_name"] as const;
export const VERSION_LABELS = ["version", "destination_version", "destination_canonical_revision"] as const;

/** Alertmanager's zero time: a firing alert's `endsAt`, or no time at all. */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";
/** Envelope ids are at most 300 characters. */
const MAX_ID = 300;

/** The route of an index entry, or why it cannot route alerts. */
export function routeOf(entry: AlertIndexEntry): AlertRoute | { problem: string } {
  const [ns, rollout, version] = entry.releaseId.split("/");
  const namespace = entry.namespace ?? ns;
  const name = entry.rollout ?? rollout;
  const canaryVersion = entry.canaryVersion ?? entry.version ?? version;
  if (namespace === undefined || name === undefined || canaryVersion === undefined) {
    return { problem: `index entry of ${entry.releaseId} names no namespace, rollout or canary version` };
  }
  return {
    releaseId: entry.releaseId,
    namespace,
    rollout: name,
    ...(entry.service === undefined ? {} : { service: entry.service }),
    canaryVersion,
    ...(entry.versionLabel === undefined ? {} : { versionLabel: entry.versionLabel }),
    matchers: (entry.alertMatchers ?? []).filter((m) => Object.keys(m).length > 0),
  };
}

function present(labels: Readonly<Record<string, string>>, names: readonly string[]): string[] {
  return [...new Set(names.map((n) => labels[n]).filter((v): v is string => v !== undefined && v !== ""))];
}

function matchesByLabels(labels: Readonly<Record<string, string>>, route: AlertRoute): boolean {
  if (route.service === undefined) return false;
  return present(labels, NAMESPACE_LABELS).includes(route.namespace) && present(labels, SERVICE_LABELS).includes(route.service);
}

function matchesByMatcher(labels: Readonly<Record<string, string>>, route: AlertRoute): boolean {
  // An empty matcher would match every alert in the cluster: it matches none.
  return route.matchers.some((m) =>
    Object.keys(m).length > 0 && Object.entries(m).every(([k, v]) => labels[k] === v.replace(/\{\{\s*version\s*\}\}/g, route.canaryVersion)),
  );
}

/** The versions an alert names for a route (its standard version labels and the rollout's own). */
export function namedVersions(labels: Readonly<Record<string, string>>, route: Pick<AlertRoute, "versionLabel">): string[] {
  return present(labels, route.versionLabel === undefined ? VERSION_LABELS : [...VERSION_LABELS, route.versionLabel]);
}

/** `alert:<fingerprint>:<status>:<startsAt>:<releaseId>` (one alert may map to several releases). */
export function alertMessageId(fingerprint: string, status: string, startsAt: string, releaseId: string): string {
  const id = `alert:${fingerprint}:${status}:${startsAt}:${releaseId}`;
  return id.length <= MAX_ID ? id : `alert:${fingerprint}:${status}:${startsAt}:${labelsFingerprint({ releaseId })}`.slice(0, MAX_ID);
}

/** Map every alert of a webhook body to the releases in flight. */
export function mapWebhook(body: AlertmanagerWebhook, routes: readonly AlertRoute[]): WebhookMapping {
  const messages: AlertMessage[] = [];
  const ignored: IgnoredAlert[] = [];
  let accepted = 0;
  for (const alert of body.alerts) {
    const labels = alert.labels;
    const fingerprint = alert.fingerprint !== undefined && alert.fingerprint !== "" ? alert.fingerprint : labelsFingerprint(labels);
    // Very old senders give no per-alert status: the group's status is the best there is.
    const status = alert.status ?? body.status;
    if (status !== "firing" && status !== "resolved") {
      ignored.push({ fingerprint, reason: `status "${status}" is neither "firing" nor "resolved"` });
      continue;
    }
    const startsAt = alert.startsAt ?? GO_ZERO_TIME;
    let mapped = 0;
    const refusals: string[] = [];
    for (const route of routes) {
      if (!matchesByLabels(labels, route) && !matchesByMatcher(labels, route)) continue;
      const versions = namedVersions(labels, route);
      if (versions.length > 0 && !versions.includes(route.canaryVersion)) {
        refusals.push(`names version ${versions.join(", ")}, not the canary ${route.canaryVersion} of ${route.releaseId}`);
        continue;
      }
      mapped++;
      const data: AlertEvent = {
        fingerprint,
        alertname: labels.alertname ?? "",
        labels: { ...labels },
        annotations: { ...(alert.annotations ?? {}) },
        startsAt,
        ...(alert.endsAt === undefined || alert.endsAt === GO_ZERO_TIME ? {} : { endsAt: alert.endsAt }),
        rollout: { namespace: route.namespace, name: route.rollout },
        ...(versions.length > 0 ? { version: route.canaryVersion } : {}),
      };
      messages.push({
        subject: status === "firing" ? Event.alertFired : Event.alertResolved,
        id: alertMessageId(fingerprint, status, startsAt, route.releaseId),
        releaseId: route.releaseId,
        data,
      });
    }
    if (mapped > 0) accepted++;
    else {
      ignored.push({
        fingerprint,
        reason:
          refusals.length > 0
            ? refusals.join("; ")
            : "no release in flight matches its labels (namespace and service, or a rollout's alert matchers)",
      });
    }
  }
  return { messages, accepted, ignored };
}
