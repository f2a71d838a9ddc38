/**
 * Every NATS subject, stream, durable consumer and KV bucket Siskin uses, named once.
 *
 * Facts are events (`evt.<domain>.<past_tense>`); requests for work are commands
 * (`cmd.<owner>.<verb>`) with exactly one owning worker. No other file spells a subject.
 */

/** Events: facts that happened. Published to the EVENTS stream. */
export const Event = {
  /**
   * The orchestrator accepted a release request (`cmd.orchestrator.release`) and read its spec from
   * the VMRollout; only the orchestrator states it.
   */
  releaseRequested: "evt.release.requested",
  /** A newer release of the same rollout replaced this one. */
  releaseSuperseded: "evt.release.superseded",
  /** The release's statechart moved (phase, step, weight, reason); the notifier and CLI follow these. */
  releaseProgressed: "evt.release.progressed",
  /** The release reached a final state (promoted, rolled back, aborted, superseded, failed). */
  releaseCompleted: "evt.release.completed",

  /** vm-provisioner created (or found) the canary VirtualMachine. */
  vmProvisioned: "evt.vm.provisioned",
  /** The canary could not be provisioned: preflight problems or an API failure. */
  vmProvisionFailed: "evt.vm.provision_failed",
  /** vm-provisioner stopped VirtualMachines of a version. */
  vmStopped: "evt.vm.stopped",
  /** VMs of versions beyond revisionHistoryLimit deleted (vm-provisioner). */
  vmPruned: "evt.vm.pruned",
  /** A VMI changed phase (Pending, Scheduling, Scheduled, Running, Succeeded, Failed, Unknown). */
  vmPhaseChanged: "evt.vm.phase_changed",
  /** A VMI's Ready condition changed. */
  vmReadyChanged: "evt.vm.ready_changed",
  /** A live migration of a VMI started. */
  vmMigrationStarted: "evt.vm.migration_started",
  /** A live migration of a VMI completed. */
  vmMigrationCompleted: "evt.vm.migration_completed",
  /** A live migration of a VMI failed. */
  vmMigrationFailed: "evt.vm.migration_failed",
  /** A VMI crashed (phase Failed after Running, or a Warning `Stopped` event). */
  vmCrashed: "evt.vm.crashed",
  /** A VMI was deleted. */
  vmDeleted: "evt.vm.deleted",

  /** traffic-router applied and read back the weights. */
  trafficWeightsSet: "evt.traffic.weights_set",
  /** traffic-router could not apply the weights. */
  trafficWeightsFailed: "evt.traffic.weights_failed",
  /** Destinations and subsets of versions beyond revisionHistoryLimit removed (traffic-router). */
  trafficPruned: "evt.traffic.pruned",

  /** metrics-analyzer judged one analysis interval of a release. */
  analysisCompleted: "evt.analysis.completed",

  /** alert-ingest received a firing alert that maps to a release. */
  alertFired: "evt.alert.fired",
  /** alert-ingest received a resolved alert that maps to a release. */
  alertResolved: "evt.alert.resolved",

  /** approval-gateway posted an approval request. */
  approvalRequested: "evt.approval.requested",
  /** An approver approved. */
  approvalGranted: "evt.approval.granted",
  /** An approver rejected. */
  approvalDenied: "evt.approval.denied",
  /** Nobody decided before the deadline. */
  approvalExpired: "evt.approval.expired",

  /** A VMRollout's spec changed (k8s-watcher). */
  rolloutSpecChanged: "evt.rollout.spec_changed",
  /** A managed VirtualService was edited by someone else while a release is in flight. */
  rolloutDriftDetected: "evt.rollout.drift_detected",
} as const;
export type EventSubject = (typeof Event)[keyof typeof Event];

/** Commands: requests for work, each with one owning worker. Published to the COMMANDS stream. */
export const Command = {
  /** vm-provisioner: preflight, then create the canary VirtualMachine. */
  vmProvision: "cmd.vm.provision",
  /** vm-provisioner: stop (or delete) the VirtualMachines of a version. */
  vmStop: "cmd.vm.stop",
  /** vm-provisioner: delete the VMs Siskin created for versions beyond revisionHistoryLimit. */
  vmPrune: "cmd.vm.prune",
  /** traffic-router: set the canary weight on the rollout's routes, read back, report. */
  trafficSetWeights: "cmd.traffic.set_weights",
  /** traffic-router: remove the routes' destinations and subsets Siskin added for versions beyond revisionHistoryLimit. */
  trafficPrune: "cmd.traffic.prune",
  /** metrics-analyzer: start judging a release every interval. */
  analysisStart: "cmd.analysis.start",
  /** metrics-analyzer: stop judging a release. */
  analysisStop: "cmd.analysis.stop",
  /** approval-gateway: ask the approvers in Slack. */
  approvalRequest: "cmd.approval.request",
  /** approval-gateway: withdraw an open request (the release moved on). */
  approvalCancel: "cmd.approval.cancel",
  /** notifier: send a message that no event carries (e.g. a failed rollback paging on-call). */
  notifySend: "cmd.notify.send",
  /**
   * orchestrator: release a version of a rollout (release-trigger, the CLI). Names a rollout and a
   * version; the orchestrator reads the spec from the API server and states `evt.release.requested`.
   */
  orchestratorRelease: "cmd.orchestrator.release",
  /**
   * orchestrator: an operator's pause, resume or abort: safe actions any Siskin credential may ask
   * for, with a self-declared actor. An approve, reject or promote on this subject is refused.
   */
  orchestratorControl: "cmd.orchestrator.control",
  /**
   * orchestrator: an approve, reject or promote by a person the publishing worker authenticated
   * (per-person API token, OIDC, kube user). Only those workers may publish it (NATS permissions).
   */
  orchestratorDecide: "cmd.orchestrator.decide",
  /** status-writer: write a VMRollout's status and Kubernetes Event. */
  statusWrite: "cmd.status.write",
} as const;
export type CommandSubject = (typeof Command)[keyof typeof Command];

export type Subject = EventSubject | CommandSubject;

/** Prefix of dead-letter subjects: `dlq.<consumer>`. */
export const deadLetterPrefix = "dlq";
/** The dead-letter subject of a durable consumer. */
export function deadLetterSubject(consumer: ConsumerName): string {
  return `${deadLetterPrefix}.${consumer}`;
}

/** JetStream streams. */
export const Stream = {
  /** Facts; limits retention so several consumers read them. */
  events: { name: "EVENTS", subjects: ["evt.>"], retention: "limits" },
  /** Work; work-queue retention, one durable consumer per owner. */
  commands: { name: "COMMANDS", subjects: ["cmd.>"], retention: "workqueue" },
  /** Messages that could not be handled, with the reason in headers. */
  deadLetters: { name: "DLQ", subjects: [`${deadLetterPrefix}.>`], retention: "limits" },
} as const;
export type StreamName = (typeof Stream)[keyof typeof Stream]["name"];

/** Durable consumers: which stream, which subjects. A worker owns exactly the commands listed for it. */
export const Consumer = {
  orchestrator: {
    stream: Stream.events.name,
    filterSubjects: [
      Event.releaseRequested,
      Event.vmProvisioned,
      Event.vmProvisionFailed,
      Event.vmStopped,
      Event.vmPruned,
      Event.vmPhaseChanged,
      Event.vmReadyChanged,
      Event.vmMigrationStarted,
      Event.vmMigrationCompleted,
      Event.vmMigrationFailed,
      Event.vmCrashed,
      Event.vmDeleted,
      Event.trafficWeightsSet,
      Event.trafficWeightsFailed,
      Event.trafficPruned,
      Event.analysisCompleted,
      Event.alertFired,
      Event.alertResolved,
      Event.approvalGranted,
      Event.approvalDenied,
      Event.approvalExpired,
      Event.rolloutDriftDetected,
    ],
  },
  orchestratorControl: { stream: Stream.commands.name, filterSubjects: [Command.orchestratorControl] },
  orchestratorDecide: { stream: Stream.commands.name, filterSubjects: [Command.orchestratorDecide] },
  orchestratorRelease: { stream: Stream.commands.name, filterSubjects: [Command.orchestratorRelease] },
  vmProvisioner: { stream: Stream.commands.name, filterSubjects: [Command.vmProvision, Command.vmStop, Command.vmPrune] },
  trafficRouter: { stream: Stream.commands.name, filterSubjects: [Command.trafficSetWeights, Command.trafficPrune] },
  metricsAnalyzer: { stream: Stream.commands.name, filterSubjects: [Command.analysisStart, Command.analysisStop] },
  approvalGateway: { stream: Stream.commands.name, filterSubjects: [Command.approvalRequest, Command.approvalCancel] },
  notifierCommands: { stream: Stream.commands.name, filterSubjects: [Command.notifySend] },
  notifierEvents: {
    stream: Stream.events.name,
    filterSubjects: ["evt.release.>", "evt.approval.>"],
  },
  statusWriter: { stream: Stream.commands.name, filterSubjects: [Command.statusWrite] },
} as const satisfies Record<string, { stream: StreamName; filterSubjects: readonly string[] }>;
export type ConsumerName = keyof typeof Consumer;

/** JetStream KV buckets. */
export const Bucket = {
  /** One entry per release: `{machine, version, snapshot}`, revision-checked. Key: releaseKey(releaseId). */
  releases: "siskin-releases",
  /** The live release of each rollout (key: rolloutKey(ns, name), i.e. releaseKey(`<ns>/<name>`)), so a newer tag supersedes it. */
  rollouts: "siskin-rollouts",
  /** Releases the analyzer judges every interval (key: releaseKey). */
  analyses: "siskin-analyses",
  /** Slack thread and message timestamps per release and approval (key: releaseKey). */
  threads: "siskin-threads",
  /** Last resourceVersion seen by the k8s-watcher per resource kind. */
  watchCursors: "siskin-watch-cursors",
} as const;
export type BucketName = (typeof Bucket)[keyof typeof Bucket];

/** Message headers Siskin sets. */
export const Header = {
  /** JetStream de-duplication id (the envelope id). */
  msgId: "Nats-Msg-Id",
  /** Dead letters: why the message was refused. */
  deadReason: "Siskin-Dead-Reason",
  /** Dead letters: the subject the message arrived on. */
  deadSubject: "Siskin-Dead-Subject",
  /** Dead letters: the error code. */
  deadCode: "Siskin-Dead-Code",
  /** Dead letters: the consumer that refused it. */
  deadConsumer: "Siskin-Dead-Consumer",
  /**
   * Dead letters: the original `Nats-Msg-Id`. The dead letter gets its own msgID
   * (`<consumer>:<stream>:<seq>`) so two consumers refusing one event both land in the DLQ.
   */
  deadMsgId: "Siskin-Dead-Msg-Id",
  /** Dead letters: the stream and sequence of the original, so it can be found (and read while it is kept). */
  deadStream: "Siskin-Dead-Stream",
  deadStreamSeq: "Siskin-Dead-Stream-Seq",
  /**
   * Dead letters: present when the payload is a truncated copy (the original plus the dead letter's
   * headers would exceed max_payload); its value is the original size in bytes.
   */
  deadTruncated: "Siskin-Dead-Truncated",
} as const;

/**
 * The KV key of a release id (`<namespace>/<rollout>/<version>`). KV keys cannot hold `/`, and a
 * `.` would split the key into subject tokens, so every character outside `[A-Za-z0-9_-]` (`=`
 * included) is written `=` plus two hex digits: `prod/reviews/v2.3.0` → `prod=2freviews=2fv2=2e3=2e0`.
 * Reversible ({@link releaseIdFromKey}); one flat token, no separators.
 */
export function releaseKey(releaseId: string): string {
  return releaseId.replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Inverse of {@link releaseKey}. */
export function releaseIdFromKey(key: string): string {
  return key.replace(/=([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The id of a release of a rollout. */
export function releaseIdOf(namespace: string, rollout: string, version: string): string {
  return `${namespace}/${rollout}/${version}`;
}

/** The KV key of a rollout in {@link Bucket.rollouts}. */
export function rolloutKey(namespace: string, rollout: string): string {
  return releaseKey(`${namespace}/${rollout}`);
}
