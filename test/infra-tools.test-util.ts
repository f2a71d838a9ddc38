// Helpers of the infra tests: run real tools (kubectl, promtool, nats-server, amtool) without blocking
// the event loop (a simulator in the same process must keep answering), and read rendered manifests.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";

/** The repository root. */
export const root = join(import.meta.dirname, "..");

/** What a finished command printed. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `cmd` with `args`; never rejects on a non-zero exit (the caller asserts on `code`). */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { cwd: opts.cwd ?? root, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== "number") return reject(new Error(`${cmd} ${args.join(" ")} could not run: ${err.message}`));
        resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
      },
    );
  });
}

/** A temp dir under os.tmpdir() and its removal. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `siskin-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Kubernetes object as parsed from YAML. */
export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, any>;

/** Every document of a multi-document YAML text. */
export function parseDocs(text: string): Obj[] {
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);
}

/** `kubectl kustomize <dir>` (the real kubectl), parsed. */
export async function kustomize(dir: string): Promise<Obj[]> {
  const r = await run("kubectl", ["kustomize", dir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir} failed (${r.code}): ${r.stderr}`);
  return parseDocs(r.stdout);
}

/** The objects of `kind` (and `name`, when given). */
export function ofKind(objs: readonly Obj[], kind: string, name?: string): Obj[] {
  return objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** The one object of `kind` named `name`; throws naming what exists. */
export function one(objs: readonly Obj[], kind: string, name: string): Obj {
  const hit = ofKind(objs, kind, name);
  if (hit.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hit.length}; have ${ofKind(objs, kind).map((o) => o.metadata.name).join(", ")}`);
  return hit[0] as Obj;
}
