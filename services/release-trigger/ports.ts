/** What release-trigger needs from the world. */
import type { VMRolloutRecord } from "../runtime/vmrollout.js";

/** A VMRollout as release-trigger sees it. */
export type RolloutRecord = VMRolloutRecord;

/** The VMRollouts in the cluster. */
export interface Rollouts {
  /**
   * Every VMRollout, in every namespace, whose `spec.source.repository` equals `fullName`
   * (`owner/name`) ignoring case. An API failure throws.
   */
  findByRepository(fullName: string): Promise<RolloutRecord[]>;
  /** One VMRollout, or null when it does not exist. */
  get(namespace: string, name: string): Promise<RolloutRecord | null>;
}



export type { Outgoing, Publisher } from "../runtime/ports.js";
