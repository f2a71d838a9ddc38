/** What the people-facing commands need from the outside world, as narrow ports (fakes in unit tests). */
import type { MessageOf } from "../../../schemas/codec.js";
import type { OrchestratorControl } from "../../../schemas/control.js";
import type { Event } from "../../../schemas/subjects.js";

/** The orchestrator's release entries (KV `Bucket.releases`). */
export interface ReleaseStore {
  /** Every live entry, by KV key, with its parsed value. */
  list(): Promise<Array<{ key: string; value: unknown }>>;
  /** The entry of one release, or null when there is none. */
  get(releaseId: string): Promise<unknown>;
}

/** Sends operator actions to the orchestrator (`cmd.orchestrator.control`). */
export interface ControlSender {
  /** Send; resolves with the command id and, when published here, its COMMANDS stream sequence. */
  send(releaseId: string, data: OrchestratorControl): Promise<{ id: string; seq?: number; duplicate: boolean }>;
}

/** Subjects `siskin watch` follows. */
export type ReleaseEventSubject =
  | typeof Event.releaseRequested
  | typeof Event.releaseSuperseded
  | typeof Event.releaseProgressed
  | typeof Event.releaseCompleted;

/** A decoded release event. */
export type ReleaseEvent = { [S in ReleaseEventSubject]: MessageOf<S> }[ReleaseEventSubject];

/** Release events from now on, in stream order; `stop()` ends the iteration. */
export interface ReleaseEventFeed extends AsyncIterable<ReleaseEvent> {
  stop(): Promise<void>;
}
