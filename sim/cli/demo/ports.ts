/** What the demo's player needs from the world, as narrow ports (adapters.ts implements them over the network). */
import type { MessageOf } from "../../../schemas/codec.js";
import type { Subject } from "../../../schemas/subjects.js";

/** Every `evt.*` message, decoded. */
export interface EventFeed {
  /** Calls `fn` for each message from now on; returns an unsubscribe. */
  subscribe(fn: (msg: MessageOf<Subject>) => void): () => void;
  close(): Promise<void>;
}

/** A VMRollout as the demo sees it. */
export interface RolloutInfo {
  /** `status.stableVersion`, else `spec.stableVersion`. */
  stableVersion: string;
  /** Steps of the plan. */
  steps: number;
  analysisSeconds: number;
  rollbackWindowSeconds: number;
}

/** A VMI as the demo sees it. */
export interface VmiInfo {
  name: string;
  version: string | undefined;
  ready: boolean;
}

/** The Kubernetes API (the cluster simulator in the demo). */
export interface DemoKube {
  /** The rollout as the demo needs it (throws naming the rollout when it is missing). */
  rollout(namespace: string, rollout: string): Promise<RolloutInfo>;
  /** Merge these annotations into the rollout's `spec.vmTemplate.metadata.annotations` (null removes one). */
  patchTemplateAnnotations(namespace: string, rollout: string, annotations: Record<string, string | null>): Promise<void>;
  /** Replace the rollout's `spec.steps`; returns the steps it had (undefined: none, the defaults). */
  replaceSteps(namespace: string, rollout: string, steps: readonly unknown[] | undefined): Promise<unknown[] | undefined>;
  /** Merge these annotations into a VMI's (null removes one). */
  patchVmiAnnotations(namespace: string, vmi: string, annotations: Record<string, string | null>): Promise<void>;
  /** VMIs selected by a label selector. */
  listVmis(namespace: string, labelSelector: string): Promise<VmiInfo[]>;
  /** Start a live migration of a VMI; returns the VirtualMachineInstanceMigration's name. */
  migrate(namespace: string, vmi: string): Promise<string>;
  /** True when the VM is halted (runStrategy Halted, or running false) and its VMI is gone. */
  vmStopped(namespace: string, vm: string): Promise<boolean>;
}

/** A Slack message as sim-slack stores it. */
export interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  history?: unknown[];
}

/** sim-slack: what was posted, and a person's clicks. */
export interface DemoSlack {
  messages(): Promise<SlackMessage[]>;
  click(c: { channel: string; ts: string; actionId: string; user: { id: string; name: string } }): Promise<void>;
}

/** sim-git: signed tag pushes to release-trigger. */
export interface DemoGit {
  pushTag(repository: string, tag: string): Promise<{ status: number; body: unknown }>;
}

/** Everything the player touches. */
export interface DemoPorts {
  feed: EventFeed;
  kube: DemoKube;
  slack: DemoSlack;
  git: DemoGit;
  clock: () => number;
}
