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
  worker: WorkerName;
  index: number;
  /** `worker#index`. */
  id: string;
  /** Its pid while it runs. */
  pid(): number | undefined;
  up(): boolean;
}

/** The pool of worker processes. */
export interface WorkerPool {
  /** Start `replicas` processes of `worker` with `env` (the world's environment of that worker). */
  start(worker: WorkerName, env: Record<string, string>, replicas: number): Promise<void>;
  replicas(): Replica[];
  /** Resolves once every running replica answers `/readyz`. */
  ready(timeoutMs: number): Promise<void>;
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
  env: Record<string, string>;
  healthPort: number;
  proc: ChildProcess | undefined;
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

  const launch = (slot: Slot): void => {
    const log = createWriteStream(join(logDir, `${slot.replica.worker}-${slot.replica.index}.log`), { flags: "a" });
    log.on("error", () => undefined);
    const proc = spawn(process.execPath, [siskinBin, "serve", slot.replica.worker], {
      env: { ...baseEnv, ...slot.env, SISKIN_HTTP_PORT: String(slot.healthPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    live.add(proc);
    slot.proc = proc;
    slot.expectedExit = false;
    proc.once("exit", (code, signal) => {
      live.delete(proc);
      log.end();
      if (slot.proc === proc) slot.proc = undefined;
      if (!slot.expectedExit) crashes.push({ id: slot.replica.id, code, signal, at: Date.now() });
    });
  };

  const slotOf = (id: string): Slot => {
    const s = slots.get(id);
    if (s === undefined) throw new Error(`soak: no worker replica ${id}`);
    return s;
  };

  return {
    async start(worker, env, count) {
      const portVar = listenPortVar[worker];
      const backends: string[] = [];
      for (let index = 0; index < count; index++) {
        const id = `${worker}#${index}`;
        const slot: Slot = {
          replica: { worker, index, id, pid: () => slots.get(id)?.proc?.pid, up: () => slots.get(id)?.proc !== undefined },
          env: { ...env },
          healthPort: await freePort(),
          proc: undefined,
          expectedExit: false,
        };
        if (portVar !== undefined && count > 1) {
          const port = await freePort();
          slot.env[portVar] = String(port);
          backends.push(`http://127.0.0.1:${port}`);
        }
        slots.set(id, slot);
        launch(slot);
      }
      const frontPort = portVar === undefined ? undefined : env[portVar];
      if (backends.length > 0 && frontPort !== undefined) fronts.push(await startHttpFront(Number(frontPort), () => backends));
    },
    replicas: () => [...slots.values()].map((s) => s.replica),
    async ready(timeoutMs) {
      for (const s of slots.values()) {
        if (s.proc === undefined) continue;
        await waitFor(
          async () => {
            const res = await fetch(`http://127.0.0.1:${s.healthPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
            await res.body?.cancel();
            return res.status === 200;
          },
          { timeoutMs, intervalMs: 200, what: `${s.replica.id} to answer /readyz` },
        );
      }
    },
    kill(id) {
      const s = slotOf(id);
      if (s.proc === undefined) return;
      s.expectedExit = true;
      s.proc.kill("SIGKILL");
      killCounts[s.replica.worker] = (killCounts[s.replica.worker] ?? 0) + 1;
    },
    restart(id) {
      const s = slotOf(id);
      if (s.proc !== undefined) return;
      launch(s);
    },
    kills: () => ({ ...killCounts }),
    crashes: () => [...crashes],
    async stop() {
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
