// The `sim.siskin.dev/*` annotations that script a VM's life (set them on the VM's spec.template.metadata
// or on a VMI; changes on a live VMI take effect at the next tick). Pure. Documented in docs/sim-cluster.md.

/** Annotation prefix of the simulator's scripting knobs. */
export const SIM_PREFIX = "sim.siskin.dev/";

/** Annotation names, without the prefix. */
export const SimAnnotation = {
  bootSeconds: "boot-seconds",
  readyDelaySeconds: "ready-delay-seconds",
  neverReady: "never-ready",
  failBoot: "fail-boot",
  crashAfterSeconds: "crash-after-seconds",
  crashNow: "crash-now",
  restartDelaySeconds: "restart-delay-seconds",
  migrationSeconds: "migration-seconds",
  migrationFails: "migration-fails",
  notReadyDuringMigration: "not-ready-during-migration",
} as const;
export type SimAnnotation = (typeof SimAnnotation)[keyof typeof SimAnnotation];

/** Defaults, in seconds. */
export const simDefaults = {
  bootSeconds: 2,
  readyDelaySeconds: 0,
  restartDelaySeconds: 1,
  migrationSeconds: 3,
} as const;

/** The script of one VMI, times in milliseconds. */
export interface SimScript {
  /** Pending → Running (and Ready, unless delayed). */
  bootMs: number;
  /** Running but not Ready for this long. */
  readyDelayMs: number;
  neverReady: boolean;
  /** Goes Failed instead of Running at the end of boot. */
  failBoot: boolean;
  /** Crashes this long after Running (or after the annotation appeared on a running VMI). */
  crashAfterMs?: number;
  /** Crashes at the next tick. */
  crashNow: boolean;
  /** A VM with runStrategy Always/RerunOnFailure restarts a failed VMI after this long. */
  restartDelayMs: number;
  /** Duration of a live migration. */
  migrationMs: number;
  migrationFails: boolean;
  /** Ready=False while the migration is running. */
  notReadyDuringMigration: boolean;
}

const seconds = (raw: string | undefined, dflt: number): number => {
  if (raw === undefined) return dflt * 1000;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : dflt * 1000;
};
const flag = (raw: string | undefined): boolean => raw === "true";

/** Reads the script from an object's annotations; absent or malformed values take the defaults. */
export function readSimScript(annotations: Record<string, string> | undefined): SimScript {
  const a = (name: SimAnnotation): string | undefined => annotations?.[`${SIM_PREFIX}${name}`];
  const script: SimScript = {
    bootMs: seconds(a(SimAnnotation.bootSeconds), simDefaults.bootSeconds),
    readyDelayMs: seconds(a(SimAnnotation.readyDelaySeconds), simDefaults.readyDelaySeconds),
    neverReady: flag(a(SimAnnotation.neverReady)),
    failBoot: flag(a(SimAnnotation.failBoot)),
    crashNow: flag(a(SimAnnotation.crashNow)),
    restartDelayMs: seconds(a(SimAnnotation.restartDelaySeconds), simDefaults.restartDelaySeconds),
    migrationMs: seconds(a(SimAnnotation.migrationSeconds), simDefaults.migrationSeconds),
    migrationFails: flag(a(SimAnnotation.migrationFails)),
    notReadyDuringMigration: flag(a(SimAnnotation.notReadyDuringMigration)),
  };
  const crash = a(SimAnnotation.crashAfterSeconds);
  if (crash !== undefined && Number.isFinite(Number(crash)) && Number(crash) >= 0) script.crashAfterMs = Math.round(Number(crash) * 1000);
  return script;
}
