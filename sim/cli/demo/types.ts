/** The demo's vocabulary: what a story scripts, and what was observed while it played. */
import type { StepSpec } from "../../../schemas/rollout.js";

/** A fault the demo injects while a release runs. */
export type StoryFault =
  | {
      /** Annotate the canary's VMI once the release's traffic reaches `atWeight` (sim-mesh reads it at once). */
      kind: "canaryAnnotations";
      atWeight: number;
      annotations: Record<string, string>;
      /** What people read, e.g. "15 % of the canary's answers become 5xx". */
      label: string;
    }
  | {
      /** Live-migrate the stable VMI (a VirtualMachineInstanceMigration) once traffic reaches `atWeight`. */
      kind: "migrateStable";
      atWeight: number;
      /** How long the migration lasts (`sim.siskin.dev/migration-seconds` on the stable VMI). */
      migrationSeconds: number;
      label: string;
    };

/** One release the demo plays: the tag it pushes, what it scripts, what must come out. */
export interface StoryScript {
  tag: string;
  /** One line: what this release shows. */
  title: string;
  /** The outcome `evt.release.completed` must carry. */
  expect: "promoted" | "rolledBack" | "aborted";
  /** An approver must appear in the outcome. */
  expectApproval?: boolean;
  /** The release must have been held (weights frozen) by a live migration. */
  expectHeld?: boolean;
  /** The previous stable version's VMs must be stopped after the rollback window. */
  expectStableStopped?: boolean;
  /** The outcome's reason must match. */
  expectReason?: RegExp;
  /** Rollback must start within this long after the fault. */
  maxReactionMs?: number;
  /** The VMRollout's `spec.steps` for this release only (e.g. a mirror step first); restored after. */
  steps?: readonly StepSpec[];
  /** The canary's user-facing weight must never exceed this (every confirmed weight, e.g. 0 for a mirror-only run). */
  expectMaxCanaryWeight?: number;
  /** `sim.siskin.dev/*` annotations on the VMRollout's vmTemplate for this release only. */
  templateAnnotations?: Record<string, string>;
  fault?: StoryFault;
}

/** One line of the release's progress as the demo saw it. */
export interface ProgressRecord {
  /** Milliseconds since the tag was pushed. */
  atMs: number;
  kind: "progress" | "slack" | "approval" | "alert" | "vm" | "traffic" | "fault" | "note";
  text: string;
  /** For `progress`: the state, step (0-based) and weight. */
  state?: string;
  step?: number;
  weight?: number;
  verdicts?: Array<{ metric: string; verdict: string; reason: string }>;
  /** Kept in the report but not printed (Slack's echo of a transition already shown). */
  quiet?: boolean;
}

/** What one story came to. */
export interface StoryResult {
  tag: string;
  version: string;
  releaseId: string;
  title: string;
  expected: StoryScript["expect"];
  /** `evt.release.completed`'s outcome; null when none came in time. */
  outcome: string | null;
  reason: string;
  /** Display names of who approved. */
  approvedBy: string[];
  held: boolean;
  /** Whether the previous stable version's VMs were seen stopped (undefined: not checked). */
  stableStopped?: boolean;
  /** The stable version when the release started. */
  stableBefore: string;
  startedAt: number;
  /** Push → promotion (weight 100 kept) or → the rollback decision. */
  decidedAfterMs: number | null;
  /** Fault → rollback decision. */
  reactionMs: number | null;
  /** Push → evt.release.completed. */
  durationMs: number | null;
  /** Canary weights confirmed by traffic-router, in order. */
  weights: number[];
  progress: ProgressRecord[];
  /** Problems against the script; empty when the story went as expected. */
  problems: string[];
  ok: boolean;
}
