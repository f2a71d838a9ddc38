/**
 * Per-worker NATS users whose publish/subscribe permissions allow exactly the subjects each worker
 * owns or reads in schemas/subjects.ts, plus the JetStream API calls its consumers and buckets need.
 *
 * NATS wildcards are whole tokens (`*` one token, `>` the rest), so every durable consumer is named
 * exactly, as services/runtime/provision.ts names it. test/integration/infra-nats-permissions.test.ts
 * runs these permissions on a real nats-server.
 */
import { inboxPrefixFor } from "../../services/runtime/nats.js";
import { consumerConfig } from "../../services/runtime/provision.js";
import {
  Bucket,
  Command,
  Consumer,
  deadLetterSubject,
  Event,
  Stream,
  type BucketName,
  type ConsumerName,
} from "../../schemas/subjects.js";

/** What one worker does on NATS. */
export interface WorkerAccess {
  /** Subjects it publishes (events it states, commands it issues). */
  publishes: string[];
  /** Durable consumers it reads. */
  consumes: ConsumerName[];
  /** KV buckets it reads, and whether it writes them. */
  buckets: Array<{ bucket: BucketName; write: boolean }>;
  /** Plain subscriptions (not JetStream), e.g. live progress for the CLI. */
  subscribes?: string[];
  /** Streams it reads through ephemeral ordered consumers (the dashboard's one event subscription). */
  reads?: string[];
}

const releaseEvents = [Event.releaseProgressed, Event.releaseCompleted, Event.releaseSuperseded];

/** Every worker's access, derived from the subjects it owns. */
export const workerAccess: Record<string, WorkerAccess> = {
  orchestrator: {
    // It alone states evt.release.requested, with the spec it read from the API server.
    publishes: [...Object.values(Command).filter((c) => !c.startsWith("cmd.orchestrator.")), Event.releaseRequested, ...releaseEvents],
    consumes: ["orchestrator", "orchestratorControl", "orchestratorDecide", "orchestratorRelease"],
    buckets: [
      { bucket: Bucket.releases, write: true },
      { bucket: Bucket.rollouts, write: true },
    ],
  },
  "k8s-watcher": {
    publishes: [
      Event.vmPhaseChanged,
      Event.vmReadyChanged,
      Event.vmMigrationStarted,
      Event.vmMigrationCompleted,
      Event.vmMigrationFailed,
      Event.vmCrashed,
      Event.vmDeleted,
      Event.rolloutSpecChanged,
      Event.rolloutDriftDetected,
    ],
    consumes: [],
    buckets: [
      { bucket: Bucket.watchCursors, write: true },
      { bucket: Bucket.rollouts, write: false },
    ],
  },
  "vm-provisioner": {
    publishes: [Event.vmProvisioned, Event.vmProvisionFailed, Event.vmStopped, Event.vmPruned],
    consumes: ["vmProvisioner"],
    buckets: [],
  },
  "traffic-router": {
    publishes: [Event.trafficWeightsSet, Event.trafficWeightsFailed, Event.trafficPruned],
    consumes: ["trafficRouter"],
    buckets: [],
  },
  "metrics-analyzer": {
    publishes: [Event.analysisCompleted],
    consumes: ["metricsAnalyzer"],
    buckets: [{ bucket: Bucket.analyses, write: true }],
  },
  "alert-ingest": {
    publishes: [Event.alertFired, Event.alertResolved],
    consumes: [],
    buckets: [{ bucket: Bucket.rollouts, write: false }],
  },
  // Authenticates people (per-person API tokens), so it alone may publish their decisions.
  "release-trigger": {
    publishes: [Command.orchestratorRelease, Command.orchestratorControl, Command.orchestratorDecide],
    consumes: [],
    buckets: [],
  },
  "approval-gateway": {
    publishes: [Event.approvalRequested, Event.approvalGranted, Event.approvalDenied, Event.approvalExpired],
    consumes: ["approvalGateway"],
    buckets: [{ bucket: Bucket.threads, write: true }],
  },
  notifier: {
    publishes: [],
    consumes: ["notifierEvents", "notifierCommands"],
    buckets: [{ bucket: Bucket.threads, write: true }],
  },
  "status-writer": {
    publishes: [],
    consumes: ["statusWriter"],
    buckets: [],
  },
  // Authenticates people (OIDC), so it may publish their decisions as well as safe controls.
  dashboard: {
    publishes: [Command.orchestratorControl, Command.orchestratorDecide],
    consumes: [],
    buckets: [
      { bucket: Bucket.releases, write: false },
      { bucket: Bucket.threads, write: false },
    ],
    reads: [Stream.events.name],
  },
  // The shared CLI credential: safe actions only (pause, resume, abort); releases and approvals go
  // through the release API, which authenticates the person.
  cli: {
    publishes: [Command.orchestratorControl],
    consumes: [],
    buckets: [{ bucket: Bucket.releases, write: false }],
    subscribes: ["evt.release.>"],
  },
};

/** Server versions whose consumer naming the permissions must cover (2.9 single filter, 2.10+ multi-filter). */
const SERVER_VERSIONS = ["2.9.10", "2.10.0"] as const;

/** The durable names provision gives `consumer` (the same on every supported server version today). */
export function consumerDurables(consumer: ConsumerName): string[] {
  return [...new Set(SERVER_VERSIONS.map((v) => consumerConfig(consumer, v).durable_name))];
}

/** The publish and subscribe allow lists of one worker. */
export function permissionsFor(user: string, access: WorkerAccess): { publish: string[]; subscribe: string[] } {
  const publish = new Set<string>(access.publishes);
  // Replies (publish acks, API answers, KV watch deliveries) come back on the user's own inbox
  // prefix (the client sets `inboxPrefix`), never `_INBOX.>`, which would show everyone's replies.
  const subscribe = new Set<string>([`${inboxPrefixFor(user)}.>`, ...(access.subscribes ?? [])]);
  // jetstreamManager() checks the account once.
  publish.add("$JS.API.INFO");
  for (const c of access.consumes) {
    const { stream } = Consumer[c];
    for (const durable of consumerDurables(c)) {
      // Pull consumers: look up, pull, and ack/nak/term/in-progress on the delivery's reply subject.
      publish.add(`$JS.API.CONSUMER.INFO.${stream}.${durable}`);
      publish.add(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`);
      publish.add(`$JS.ACK.${stream}.${durable}.>`);
    }
    // Dead letters of its own consumer only.
    publish.add(deadLetterSubject(c));
  }
  for (const stream of access.reads ?? []) {
    // An ordered consumer: created (and re-created after a reconnect) with a random name, fed by flow control.
    publish.add(`$JS.API.STREAM.INFO.${stream}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}.>`);
    publish.add(`$JS.API.CONSUMER.INFO.${stream}.*`);
    publish.add(`$JS.API.CONSUMER.DELETE.${stream}.*`);
    publish.add(`$JS.API.CONSUMER.MSG.NEXT.${stream}.*`);
    publish.add(`$JS.FC.${stream}.>`);
  }
  for (const { bucket, write } of access.buckets) {
    const stream = `KV_${bucket}`;
    publish.add(`$JS.API.STREAM.INFO.${stream}`);
    // get(): direct get when the bucket allows it, else the stream's message get.
    publish.add(`$JS.API.DIRECT.GET.${stream}.>`);
    publish.add(`$JS.API.DIRECT.GET.${stream}`);
    publish.add(`$JS.API.STREAM.MSG.GET.${stream}`);
    // keys() and watch() run ephemeral ordered push consumers on the bucket's stream (random names).
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}.>`);
    publish.add(`$JS.API.CONSUMER.INFO.${stream}.*`);
    publish.add(`$JS.API.CONSUMER.DELETE.${stream}.*`);
    publish.add(`$JS.FC.${stream}.>`);
    if (write) publish.add(`$KV.${bucket}.>`);
  }
  return { publish: [...publish].sort(), subscribe: [...subscribe].sort() };
}

const quote = (s: string) => JSON.stringify(s);

/** The environment variable holding a NATS user's password: `SISKIN_NATS_PASSWORD_<USER>`. */
export function natsPasswordEnv(user: string): string {
  return `SISKIN_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, "_")}`;
}

/** The NATS user that provisions streams, consumers and buckets. */
export const ADMIN_USER = "siskin-admin";

/**
 * The `authorization` block of nats.conf: one user per worker (password from the environment
 * variable {@link natsPasswordEnv}), plus an admin user that provisions streams.
 */
export function renderNatsAuthorization(): string {
  const lines = [
    "# Generated by `npm run schemas:export` from schemas/subjects.ts and scripts/lib/nats-permissions.ts. Do not edit.",
    "authorization {",
    "  users: [",
    "    # Provisions streams, consumers and KV buckets (`siskin provision`); not used by workers.",
    `    { user: ${quote(ADMIN_USER)}, password: $SISKIN_NATS_PASSWORD_ADMIN }`,
  ];
  for (const [worker, access] of Object.entries(workerAccess)) {
    const p = permissionsFor(worker, access);
    lines.push(`    { user: ${quote(worker)}, password: $${natsPasswordEnv(worker)}, permissions: {`);
    lines.push(`        publish: { allow: [${p.publish.map(quote).join(", ")}] }`);
    lines.push(`        subscribe: { allow: [${p.subscribe.map(quote).join(", ")}] }`);
    lines.push("    } }");
  }
  lines.push("  ]", "}");
  return `${lines.join("\n")}\n`;
}

/** Streams the cluster config replicates, for documentation in the rendered file. */
export const replicatedStreams = Object.values(Stream).map((s) => s.name);
