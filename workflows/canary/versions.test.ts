import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import { SiskinError } from "../../schemas/errors.js";
import { canaryMachine } from "./machine.js";
import { ev, makeInput, T0 } from "./fixtures.test-util.js";
import { MACHINE_ID, MACHINE_VERSION, migrateSnapshot, type SnapshotMigration } from "./versions.js";

describe("snapshot versions", () => {
  const [snap] = initialTransition(canaryMachine, makeInput());
  const current = JSON.parse(JSON.stringify(canaryMachine.getPersistedSnapshot(snap))) as { context: Record<string, unknown> };

  it("passes the current version through", () => {
    expect(MACHINE_ID).toBe("canary");
    expect(migrateSnapshot({ machine: MACHINE_ID, version: MACHINE_VERSION, snapshot: current })).toBe(current);
  });

  it("migrates a (fake) v0 snapshot step by step, and the result keeps working", () => {
    // v0 called the canary weight `weight` and had no migration bookkeeping.
    const { canaryWeight, migrations, migrationWindows, ...rest } = current.context;
    const v0 = { ...current, context: { ...rest, weight: canaryWeight } };
    const migrations0: Record<number, SnapshotMigration> = {
      0: (s) => {
        const old = s as { context: Record<string, unknown> };
        const { weight, ...ctx } = old.context;
        return { ...old, context: { ...ctx, canaryWeight: weight, migrations: {}, migrationWindows: [] } };
      },
    };
    const migrated = migrateSnapshot({ machine: MACHINE_ID, version: 0, snapshot: v0 }, migrations0, 1);
    expect(migrated).toEqual(current);
    void migrations;
    void migrationWindows;
    const [next] = transition(canaryMachine, canaryMachine.resolveState(migrated as never), ev.provisioned(T0 + 1000));
    expect(next.value).toBe("awaitingCanaryReady");
  });

  it.each([
    [{ machine: MACHINE_ID, version: 0, snapshot: {} }, "stored snapshot is canary v0 and this orchestrator runs v1, but no migration from v0 to v1 exists"],
    [{ machine: MACHINE_ID, version: 7, snapshot: {} }, "stored snapshot is canary v7 but this orchestrator runs v1"],
    [{ machine: "blue-green", version: 1, snapshot: {} }, 'belongs to machine "blue-green"'],
  ])("refuses %j loudly", (stored, text) => {
    let err: unknown;
    try {
      migrateSnapshot(stored);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SiskinError);
    expect((err as SiskinError).code).toBe("SISKIN_ERR_SNAPSHOT_VERSION");
    expect((err as SiskinError).message).toContain(text);
  });
});
