/**
 * Run one measurement in a child Node process, so its memory is its own: `node --expose-gc
 * --import tsx <script> <json args>`; the child prints one JSON line (the last line of stdout).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Run `script` (relative to the repository root) with `input` as JSON in argv[2]; resolves with its JSON answer. */
export function runChild<T>(script: string, input: unknown, opts: { timeoutMs: number }): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", script, JSON.stringify(input)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bench child ${script} did not finish within ${opts.timeoutMs} ms; stderr: ${err.slice(-2000)}`));
    }, opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`bench child ${script} could not start: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) {
        reject(new Error(`bench child ${script} exited with ${code}; stderr: ${err.slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`bench child ${script} printed no JSON result; last line: ${last.slice(0, 300)}; stderr: ${err.slice(-1000)}`));
      }
    });
  });
}

/** In a child: the JSON input of {@link runChild}. */
export function childInput<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error("bench child: expected its input as JSON in argv[2] (run it through runChild)");
  return JSON.parse(raw) as T;
}

/** In a child: print the answer and exit (open handles such as NATS must not keep it alive). */
export function childAnswer(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`, () => process.exit(0));
}

/** Memory now, after a full GC when the child runs with --expose-gc. */
export function memoryNow(): { rss: number; heapUsed: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}
