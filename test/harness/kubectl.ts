/** Run the real kubectl against a simulator, with its own kubeconfig and cache dir (never ~/.kube). */
import { execFile } from "node:child_process";
import { join } from "node:path";

/** What one kubectl run printed. */
export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl bound to one kubeconfig; `dir` holds its cache and serves as HOME. */
export function kubectlFor(kubeconfig: string, dir: string) {
  const run = (args: string[], input?: string): Promise<KubectlRun> =>
    new Promise((resolve) => {
      const child = execFile(
        "kubectl",
        ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args],
        { env: { PATH: process.env.PATH ?? "", HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  return {
    run,
    /** Run and return stdout; throws with stderr when kubectl fails. */
    async ok(args: string[], input?: string): Promise<string> {
      const r = await run(args, input);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
  };
}
