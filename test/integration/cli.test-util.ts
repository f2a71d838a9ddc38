/**
 * Shared setup of the `siskin` CLI integration tests: a real, provisioned nats-server; releases
 * stored and announced the way the orchestrator does it (its `applyEvent`, a revision-checked KV
 * write, then the host's messages published with their msgIds); and the real CLI as a child process.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subject } from "../../schemas/subjects.js";
import { Bucket, releaseKey } from "../../schemas/subjects.js";
import { createPublisher, openKv, type JsonKv, type Publisher } from "../../services/runtime/index.js";
import type { ScriptedRelease } from "../../services/cli/lib/fixtures.test-util.js";
import { natsFixture, type NatsFixture } from "./runtime.test-util.js";

export const repo = fileURLToPath(new URL("../../", import.meta.url));
const tsx = `${repo}node_modules/tsx/dist/cli.mjs`;
const main = `${repo}sim/cli/main.ts`;

/** A provisioned NATS with the releases bucket and an orchestrator-like publisher. */
export interface CliWorld extends NatsFixture {
  kv: JsonKv;
  publisher: Publisher;
  /** Save the release's current record as the orchestrator does (create, else update at the read revision). */
  save(r: ScriptedRelease): Promise<void>;
  /** Save, then publish the host's messages from index `from` on (evt.* and cmd.*), with their msgIds. */
  commit(r: ScriptedRelease, from: number): Promise<void>;
}

export async function cliWorld(): Promise<CliWorld> {
  const fx = await natsFixture();
  const kv = await openKv(fx.nc, Bucket.releases);
  const publisher = createPublisher(fx.nc, { source: "orchestrator" });
  const save = async (r: ScriptedRelease) => {
    const key = releaseKey(r.releaseId);
    const cur = await kv.get(key);
    if (cur === null) await kv.create(key, r.stored);
    else await kv.update(key, r.stored, cur.revision);
  };
  return {
    ...fx,
    kv,
    publisher,
    save,
    async commit(r, from) {
      await save(r);
      for (const c of r.published.slice(from)) {
        await publisher.publish(c.subject as Subject, { id: c.msgId, releaseId: c.releaseId, data: c.data as never, ...(c.causationId === undefined ? {} : { causationId: c.causationId }) });
      }
    },
  };
}

/** The outcome of one CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process: its output so far, and its end. */
export interface CliProcess {
  stdout(): string;
  stderr(): string;
  done: Promise<CliRun>;
  kill(signal?: NodeJS.Signals): void;
}

/** The base environment of a CLI run: no inherited SISKIN_* or NO_COLOR settings. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SISKIN_") && k !== "NO_COLOR" && k !== "FORCE_COLOR") env[k] = v;
  return { ...env, ...extra };
}

/** Options of a CLI run. */
export interface CliRunOptions {
  env?: Record<string, string>;
  /** Run under util-linux `script`, which gives the CLI a pseudo-terminal of this size. */
  pty?: { cols: number; rows: number };
  timeoutMs?: number;
}

/** Start `siskin <args>`, on pipes or in a pseudo-terminal. */
export function startCli(args: string[], o: CliRunOptions = {}): CliProcess {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const argv = [tsx, main, ...args];
  const child =
    o.pty !== undefined
      ? spawn("script", ["-qfec", `stty cols ${o.pty.cols} rows ${o.pty.rows}; exec ${[process.execPath, ...argv].map(quote).join(" ")}`, "/dev/null"], { cwd: repo, env: cliEnv(o.env), stdio: ["pipe", "pipe", "pipe"] })
      : spawn(process.execPath, argv, { cwd: repo, env: cliEnv(o.env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  child.stderr?.on("data", (b: Buffer) => (err += b.toString("utf8")));
  const timeoutMs = o.timeoutMs ?? 150_000;
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`siskin ${args.join(" ")} did not exit within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
  return { stdout: () => out, stderr: () => err, done, kill: (s = "SIGINT") => child.kill(s) };
}

/** Run `siskin <args>` to its end. */
export function runCli(args: string[], o: CliRunOptions = {}): Promise<CliRun> {
  return startCli(args, o).done;
}

/** Re-exported for tests that need the raw connection type. */
export type { NatsConnection };
