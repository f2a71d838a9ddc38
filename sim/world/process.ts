/**
 * Real servers as child processes: find the binary, spawn, wait for the readiness URL, stop
 * (SIGTERM, then SIGKILL after a bound), and remove temp dirs, also when this process exits.
 * Used by the simulated world (`npm run demo`, `siskin sim up`) and by the test harness.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { waitFor } from "./wait.js";

/** How long a server may take to answer its readiness URL. */
export const READY_TIMEOUT_MS = 15_000;
/** How long a server may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_TIMEOUT_MS = 5_000;

const liveProcs = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill hard and remove dirs so a failed run leaves nothing behind.
  process.once("exit", () => {
    for (const p of liveProcs) {
      try {
        p.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** Path of the first executable found among `names` on PATH and the `extra` absolute paths. */
export function findBinary(names: readonly string[], extra: readonly string[] = []): string {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  const candidates = [...extra, ...names.flatMap((n) => dirs.map((d) => join(d, n)))];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* try the next */
    }
  }
  throw new Error(
    `siskin: ${names.join(" / ")} is not installed (looked on PATH and in ${extra.join(", ") || "no other place"}); ` +
      "run `bash scripts/setup.sh` to install the servers",
  );
}

/** A temp dir under os.tmpdir(), removed on stop or at process exit. */
export function makeTempDir(prefix: string): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `siskin-${prefix}-`));
  liveDirs.add(dir);
  return dir;
}

/** Remove a dir made by {@link makeTempDir}. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

/**
 * The working dir of a server: `dir` itself when given (created, kept after stop: the demo's data
 * stays for inspection), else a temp dir removed on stop. `release()` does what stop should.
 */
export function serverDir(prefix: string, dir: string | undefined): { path: string; release(): Promise<void> } {
  if (dir === undefined) {
    const path = makeTempDir(prefix);
    return { path, release: () => removeTempDir(path) };
  }
  mkdirSync(dir, { recursive: true });
  return { path: dir, release: async () => {} };
}

/** A running server process. */
export interface ServerProcess {
  readonly proc: ChildProcess;
  /** The last ~64 KiB of its stdout and stderr, for error messages. */
  logs(): string;
  /** SIGTERM (or SIGKILL with `kill`), then SIGKILL after {@link STOP_TIMEOUT_MS}; resolves once it exited. */
  stop(opts?: { kill?: boolean }): Promise<void>;
}

/** What {@link spawnServer} starts. */
export interface SpawnSpec {
  /** Name used in errors, e.g. "nats-server". */
  name: string;
  bin: string;
  args: string[];
  /** Polled until it answers 200. */
  readyUrl: string;
  readyTimeoutMs?: number;
  /** Also append the server's output to this file. */
  logPath?: string;
}

/**
 * Spawn a server and wait until `readyUrl` answers 200. Rejects (and kills the process) when it
 * exits first or the deadline passes; the error quotes the server's output.
 */
export async function spawnServer(spec: SpawnSpec): Promise<ServerProcess> {
  installExitHook();
  const proc = spawn(spec.bin, spec.args, { stdio: ["ignore", "pipe", "pipe"] });
  liveProcs.add(proc);
  const file: WriteStream | undefined = spec.logPath === undefined ? undefined : createWriteStream(spec.logPath, { flags: "a" });
  file?.on("error", () => undefined);
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-65_536);
    file?.write(chunk);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitedP = new Promise<void>((resolve) => {
    proc.once("exit", (code, signal) => {
      exited = { code, signal };
      liveProcs.delete(proc);
      file?.end();
      resolve();
    });
  });
  proc.once("error", (err) => {
    spawnError = err;
    liveProcs.delete(proc);
  });

  const handle: ServerProcess = {
    proc,
    logs: () => log,
    async stop(opts = {}) {
      if (exited !== undefined || spawnError !== undefined) return;
      proc.kill(opts.kill === true ? "SIGKILL" : "SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exitedP;
      clearTimeout(timer);
    },
  };

  const timeoutMs = spec.readyTimeoutMs ?? READY_TIMEOUT_MS;
  try {
    const outcome = await waitFor(
      async () => {
        // A dead process ends the wait at once instead of polling until the deadline.
        if (spawnError !== undefined || exited !== undefined) return "died" as const;
        const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        return res.status === 200 ? ("ready" as const) : undefined;
      },
      { timeoutMs, intervalMs: 20, what: `${spec.name} to answer 200 on ${spec.readyUrl}` },
    );
    if (outcome === "died") {
      throw new Error(
        spawnError !== undefined
          ? `${spec.name} could not be started (${spec.bin}): ${spawnError.message}`
          : `${spec.name} exited before it was ready (code ${exited?.code}, signal ${exited?.signal})`,
      );
    }
  } catch (err) {
    await handle.stop({ kill: true });
    const detail = log.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${(err as Error).message}\n--- ${spec.name} output ---\n${detail}`, { cause: err });
  }
  return handle;
}

/** True when a start failure looks like a lost port race, worth one more try on another port. */
export function looksLikePortInUse(err: unknown): boolean {
  return /address already in use|bind: |EADDRINUSE/i.test(String((err as Error)?.message ?? err));
}

/**
 * Start on `port` when given (one try), else on free ports, retrying a lost port race twice.
 * `launch` receives the port(s) it must bind.
 */
export async function onFreePorts<T>(count: number, fixed: ReadonlyArray<number | undefined>, launch: (ports: number[]) => Promise<T>, freePort: () => Promise<number>): Promise<T> {
  const allFixed = Array.from({ length: count }, (_, i) => fixed[i]).every((p) => p !== undefined && p !== 0);
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const p = fixed[i];
      ports.push(p !== undefined && p !== 0 ? p : await freePort());
    }
    try {
      return await launch(ports);
    } catch (err) {
      if (allFixed || attempt >= 3 || !looksLikePortInUse(err)) throw err;
    }
  }
}
