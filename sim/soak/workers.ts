/**
 * Every worker as its own OS process (`siskin serve <worker>`, as a Deployment's container runs it),
 * some with two replicas. Replicas that listen for HTTP get their own port behind an {@link HttpFront}
 * on the port the world gave the worker. The chaos loop SIGKILLs replicas and starts them again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../world/ports.js";
import { waitFor } from "../world/wait.js";
import type { WorkerName } from "../world/world-env.js";
import { startHttpFront, type HttpFront } from "./proxy.js";

const siskinBin = fileURLToPath(new URL("../../bin/siskin.mjs", import.meta.url));

/** The variable holding the port each listening worker receives HTTP from the simulators on. */
const listenPortVar: Partial<Record<WorkerName, string>> = {
  "alert-ingest": "SISKIN_WEBHOOK_PORT",
  "approval-gateway": "SISKIN_INTERACTIVITY_PORT",
  "release-trigger": "SISKIN_LISTEN_PORT",
};

/** One replica (a process, or none while it is down). */
export interface Replica {
  /** The unit: a worker's name, or a name for a process serving several workers. */
  worker: string;
  index: number;
  /** `worker#index`. */
  id: string;
  /** Its pid while it runs. */
  pid(): number | undefined;
  up(): boolean;
}

/** The pool of worker processes. */
export interface WorkerPool {
  /**
   * Start `replicas` processes named `unit`, each serving `workers` (`siskin serve <workers…>`) with `env`
   * (the world's environments of those workers, merged).
   */
  start(unit: string, workers: readonly WorkerName[], env: Record<string, string>, replicas: number): Promise<void>;
  replicas(): Replica[];
  /** Resolves once every running replica said it is ready. */
  ready(timeoutMs: number): Promise<void>;
  /** Replicas ready now. */
  readyNow(): Replica[];
  /** SIGKILL one replica (its front keeps listening). */
  kill(id: string): void;
  /** Start a killed replica again. */
  restart(id: string): void;
  /** Kills per worker, and replica exits nobody asked for (crashes). */
  kills(): Record<string, number>;
  crashes(): Array<{ id: string; code: number | null; signal: string | null; at: number }>;
  /** SIGTERM every replica (SIGKILL after a bound) and close the fronts. */
  stop(): Promise<void>;
}

interface Slot {
  replica: Replica;
  workers: readonly WorkerName[];
  env: Record<string, string>;
  proc: ChildProcess | undefined;
  /** It printed `siskin serve: ready`. */
  ready: boolean;
  expectedExit: boolean;
}

const live = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const p of live) {
      try {
        p.kill("SIGKILL");
      } catch {
        /* gone */
      }
    }
  });
}

/** A pool logging each replica's output to `<logDir>/<worker>-<index>.log`. */
export function createWorkerPool(logDir: string, baseEnv: Record<string, string | undefined> = process.env): WorkerPool {
  hookExit();
  mkdirSync(logDir, { recursive: true });
  const slots = new Map<string, Slot>();
  const fronts: HttpFront[] = [];
  const killCounts: Record<string, number> = {};
  const crashes: Array<{ id: string; code: number | null; signal: string | null; at: number }> = [];
  let stopping = false;

  const launch = (slot: Slot): void => {
    const log = createWriteStream(join(logDir, `${slot.replica.worker}-${slot.replica.index}.log`), { flags: "a" });
    log.on("error", () => undefined);
    const proc = spawn(process.execPath, [siskinBin, "serve", ...slot.workers], {
      env: { ...baseEnv, ...slot.env, SISKIN_HTTP_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    slot.ready = false;
    let head = "";
    proc.stdout?.on("data", (c: Buffer) => {
      if (slot.ready || slot.proc !== proc) return;
      head = (head + c.toString()).slice(-4096);
      if (head.includes("siskin serve: ready")) slot.ready = true;
    });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    live.add(proc);
    slot.proc = proc;
    slot.expectedExit = false;
    proc.once("exit", (code, signal) => {
      live.delete(proc);
      log.end();
      if (slot.proc === proc) {
        slot.proc = undefined;
        slot.ready = false;
      }
      if (slot.expectedExit || stopping) return;
      // Nobody killed it (e.g. NATS answered a start-up request too late): restart it, as Kubernetes would.
      crashes.push({ id: slot.replica.id, code, signal, at: Date.now() });
      setTimeout(() => {
        if (!stopping && slot.proc === undefined && !slot.expectedExit) launch(slot);
      }, 1_000).unref();
    });
  };

  const slotOf = (id: string): Slot => {
    const s = slots.get(id);
    if (s === undefined) throw new Error(`soak: no worker replica ${id}`);
    return s;
  };

  return {
    async start(unit, workers, env, count) {
      const portVars = workers.map((w) => listenPortVar[w]).filter((v): v is string => v !== undefined);
      const backends = new Map<string, string[]>(portVars.map((v) => [v, []]));
      for (let index = 0; index < count; index++) {
        const id = `${unit}#${index}`;
        const slot: Slot = {
          replica: { worker: unit, index, id, pid: () => slots.get(id)?.proc?.pid, up: () => slots.get(id)?.proc !== undefined },
          workers,
          env: { ...env },
          proc: undefined,
          ready: false,
          expectedExit: false,
        };
        // Several replicas listen on their own ports behind a front on the port the world gave.
        for (const v of count > 1 ? portVars : []) {
          const port = await freePort();
          slot.env[v] = String(port);
          backends.get(v)?.push(`http://127.0.0.1:${port}`);
        }
        slots.set(id, slot);
        launch(slot);
      }
      if (count > 1) for (const [v, list] of backends) fronts.push(await startHttpFront(Number(env[v]), () => list));
    },
    replicas: () => [...slots.values()].map((s) => s.replica),
    async ready(timeoutMs) {
      for (const s of slots.values()) {
        if (s.proc === undefined) continue;
        await waitFor(() => s.ready || s.proc === undefined, { timeoutMs, intervalMs: 250, what: `${s.replica.id} to say it is ready` });
      }
    },
    readyNow: () => [...slots.values()].filter((s) => s.ready).map((s) => s.replica),
    kill(id) {
      const s = slotOf(id);
      if (s.proc === undefined) return;
      s.expectedExit = true;
      s.proc.kill("SIGKILL");
      killCounts[s.replica.worker] = (killCounts[s.replica.worker] ?? 0) + 1;
    },
    restart(id) {
      const s = slotOf(id);
      if (stopping) return;
      // SIGKILL is delivered at once but its exit event may come later: start after it, not never.
      if (s.proc !== undefined) {
        if (!s.expectedExit) return;
        s.proc.once("exit", () => {
          if (!stopping && s.proc === undefined) launch(s);
        });
        return;
      }
      launch(s);
    },
    kills: () => ({ ...killCounts }),
    crashes: () => [...crashes],
    async stop() {
      stopping = true;
      const exits: Array<Promise<void>> = [];
      for (const s of slots.values()) {
        const p = s.proc;
        if (p === undefined) continue;
        s.expectedExit = true;
        exits.push(
          new Promise<void>((resolve) => {
            const t = setTimeout(() => p.kill("SIGKILL"), 5_000);
            p.once("exit", () => {
              clearTimeout(t);
              resolve();
            });
            p.kill("SIGTERM");
          }),
        );
      }
      await Promise.all(exits);
      for (const f of fronts.splice(0)) await f.close();
    },
  };
}
