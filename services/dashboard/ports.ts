/** What the dashboard needs from the outside world, as narrow ports (fakes in unit tests). */
import type { MessageOf } from "../../schemas/codec.js";
import type { OrchestratorControl } from "../../schemas/control.js";
import type { Subject } from "../../schemas/subjects.js";

/** The orchestrator's release entries (KV `Bucket.releases`), read only. */
export interface ReleaseEntries {
  /** Every live entry, by release id, with its parsed value. */
  list(): Promise<Array<{ releaseId: string; value: unknown }>>;
  /** The entry of one release, or null. */
  get(releaseId: string): Promise<unknown>;
}

/** The release's Slack thread (KV `Bucket.threads`, written by the notifier). */
export interface Threads {
  /** Channel and parent message of the release's thread, or null before it is posted. */
  get(releaseId: string): Promise<{ channel: string; ts: string } | null>;
}

/** Operator actions to the orchestrator (`cmd.orchestrator.control`), as the CLI sends them. */
export interface ControlSender {
  /** Publish; resolves with the command id. */
  send(releaseId: string, data: OrchestratorControl): Promise<{ id: string; duplicate: boolean }>;
}

/** The one subscription of the process: every event of the EVENTS stream, from some time back, then live. */
export interface EventStream {
  /** Deliver each decoded event to `fn`, in stream order, until `stop()`. */
  start(fn: (msg: MessageOf<Subject>) => void): Promise<void>;
  stop(): Promise<void>;
}

/** One series of a range query: its labels and `[epoch s, value]` samples. */
export interface RangeSeries {
  labels: Record<string, string>;
  values: Array<[number, number | null]>;
}

/** Prometheus `query_range`. */
export interface MetricsRange {
  /** Run `query` from `start` to `end` (epoch s) every `step` s. */
  queryRange(query: string, start: number, end: number, step: number): Promise<RangeSeries[]>;
}

/** A VMI as the detail page shows it. */
export interface VmiRow {
  name: string;
  version: string;
  phase: string;
  ready: boolean;
  node: string | null;
  /** Migrations of this VMI known to the API (VirtualMachineInstanceMigrations). */
  migrations: number;
  /** The live migration in flight, if any: `source → target`. */
  migrating: string | null;
}

/** The cluster's VMIs (KubeVirt). */
export interface Vmis {
  /** VMIs of `namespace` whose `versionLabel` is one of `versions` (and that carry `labels`). */
  list(namespace: string, versionLabel: string, versions: readonly string[], labels: Record<string, string>): Promise<VmiRow[]>;
}
