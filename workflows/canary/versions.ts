/**
 * Machine identity and versions of persisted snapshots. A stored release carries `{machine,
 * version, snapshot}`; a snapshot of an older version is migrated step by step (v → v+1) or
 * refused loudly — never silently resumed by a machine that reads it differently.
 */
import { SiskinError } from "../../schemas/errors.js";

/** The id stored with every snapshot of the canary machine. */
export const MACHINE_ID = "canary";
/** Bump when the context or the state tree changes incompatibly, and add a migration. */
export const MACHINE_VERSION = 1;

/** What the orchestrator stores per release (the rest of its record is the host's). */
export interface StoredSnapshot {
  machine: string;
  version: number;
  snapshot: unknown;
}

/** A migration from version `v` to `v + 1` of a persisted snapshot. */
export type SnapshotMigration = (snapshot: unknown) => unknown;

/** Migrations by the version they start from. None yet: version 1 is the first. */
export const snapshotMigrations: Readonly<Record<number, SnapshotMigration>> = {};

/**
 * The snapshot, migrated to {@link MACHINE_VERSION}. Throws SISKIN_ERR_SNAPSHOT_VERSION (naming
 * both versions) for another machine, a newer version, or a gap in the migrations.
 */
export function migrateSnapshot(
  stored: StoredSnapshot,
  migrations: Readonly<Record<number, SnapshotMigration>> = snapshotMigrations,
  current: number = MACHINE_VERSION,
): unknown {
  if (stored.machine !== MACHINE_ID) {
    throw new SiskinError(
      "SISKIN_ERR_SNAPSHOT_VERSION",
      `stored snapshot belongs to machine "${stored.machine}", not "${MACHINE_ID}": it cannot be resumed by this orchestrator; finish or delete the release entry`,
    );
  }
  if (stored.version === current) return stored.snapshot;
  if (stored.version > current) {
    throw new SiskinError(
      "SISKIN_ERR_SNAPSHOT_VERSION",
      `stored snapshot is ${MACHINE_ID} v${stored.version} but this orchestrator runs v${current}: deploy the newer orchestrator (a rollback of the orchestrator cannot read it)`,
    );
  }
  let snapshot = stored.snapshot;
  for (let v = stored.version; v < current; v++) {
    const step = migrations[v];
    if (step === undefined) {
      throw new SiskinError(
        "SISKIN_ERR_SNAPSHOT_VERSION",
        `stored snapshot is ${MACHINE_ID} v${stored.version} and this orchestrator runs v${current}, but no migration from v${v} to v${v + 1} exists: add one to workflows/canary/versions.ts or finish the release with the older orchestrator`,
      );
    }
    snapshot = step(snapshot);
  }
  return snapshot;
}
