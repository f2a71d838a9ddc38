// `siskin sim mesh`: runs the simulated Istio mesh against a Kubernetes API server (the cluster simulator
// or any other), serving Istio metrics and a request front, optionally with constant-rate load per service.
// `runSimMesh` holds the logic (no process access); `register` wires it to commander and the signals.
import { CommanderError, type Command } from "commander";
import { loadKubeConfig } from "../../../services/runtime/kube-client.js";
import { startSimMesh, type SimMesh } from "../../mesh/index.js";

/** Options of `siskin sim mesh`, as commander hands them over. */
export interface SimMeshCliOptions {
  kubeconfig?: string;
  port: string;
  host: string;
  rps: string;
  service?: string[];
  header?: string[];
  taggedHeader?: string[];
  taggedShare?: string;
  path: string;
  maxSeconds: string;
  maxRequests?: string;
  seed: string;
}

/** Parsed options. */
export interface SimMeshRun {
  kubeconfig: string | undefined;
  port: number;
  host: string;
  rps: number;
  services: Array<{ namespace: string; service: string }>;
  headers: Record<string, string>;
  /** A share of each load's requests also carries these headers (testers on a matched route). */
  tagged: { share: number; headers: Record<string, string> } | undefined;
  path: string;
  maxSeconds: number;
  maxRequests: number | undefined;
  seed: number;
}

/** Exit code of a usage error. */
export const SIM_MESH_USAGE_EXIT = 2;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(",").map((s) => s.trim()).filter((s) => s !== "")];

/** Checks the flags; every problem is listed. */
export function parseSimMeshOptions(o: SimMeshCliOptions): { ok: true; value: SimMeshRun } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const int = (flag: string, v: string, min: number, max: number): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) errors.push(`${flag} must be an integer ${min}..${max}, got "${v}"`);
    return n;
  };
  const port = int("--port", o.port, 0, 65535);
  const rps = Number(o.rps);
  if (!Number.isFinite(rps) || rps < 0) errors.push(`--rps must be a number ≥ 0, got "${o.rps}"`);
  const services = (o.service ?? []).map((s) => {
    const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(s);
    if (m === null) errors.push(`--service must be namespace/name (e.g. default/web), got "${s}"`);
    return { namespace: m?.[1] ?? "", service: m?.[2] ?? "" };
  });
  if (rps > 0 && services.length === 0) errors.push("--rps needs at least one --service namespace/name to send to");
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf("=");
    if (i <= 0) errors.push(`--header must be name=value, got "${h}"`);
    else headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1);
  }
  const taggedHeaders: Record<string, string> = {};
  for (const h of o.taggedHeader ?? []) {
    const i = h.indexOf("=");
    if (i <= 0) errors.push(`--tagged-header must be name=value, got "${h}"`);
    else taggedHeaders[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1);
  }
  const share = o.taggedShare === undefined ? undefined : Number(o.taggedShare);
  if (share !== undefined && !(share >= 0 && share <= 1)) errors.push(`--tagged-share must be a number from 0 to 1, got "${o.taggedShare}"`);
  if ((share === undefined) !== (Object.keys(taggedHeaders).length === 0)) errors.push("--tagged-share and --tagged-header go together: e.g. --tagged-share 0.1 --tagged-header x-canary=always");
  const tagged = share === undefined || Object.keys(taggedHeaders).length === 0 ? undefined : { share, headers: taggedHeaders };
  if (!o.path.startsWith("/")) errors.push(`--path must start with "/", got "${o.path}"`);
  const maxSeconds = int("--max-seconds", o.maxSeconds, 1, 7 * 24 * 3600);
  const maxRequests = o.maxRequests === undefined ? undefined : int("--max-requests", o.maxRequests, 1, 1e9);
  const seed = int("--seed", o.seed, 0, 2 ** 32 - 1);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { kubeconfig: o.kubeconfig, port, host: o.host, rps, services, headers, tagged, path: o.path, maxSeconds, maxRequests, seed } };
}


/** Runs the mesh until `signal` aborts; reports through `out`. Resolves with the mesh closed. */
export async function runSimMesh(run: SimMeshRun, io: { signal: AbortSignal; out: (line: string) => void; onStarted?: (mesh: SimMesh) => void }): Promise<void> {
  const mesh = await startSimMesh({ kubeConfig: loadKubeConfig(run.kubeconfig), port: run.port, host: run.host, seed: run.seed, log: (m) => io.out(`sim-mesh: ${m}`) });
  try {
    io.out(`sim-mesh: metrics at ${mesh.metricsUrl}`);
    io.out(`sim-mesh: send requests with  curl -s -XPOST ${mesh.url}/request -d '{"service":"web","namespace":"default"}'  or  curl -x ${mesh.url} http://web.default/`);
    for (const s of run.rps > 0 ? run.services : []) {
      mesh.startLoad({ ...s, rps: run.rps, headers: run.headers, path: run.path, maxSeconds: run.maxSeconds, maxRequests: run.maxRequests, ...(run.tagged === undefined ? {} : { tagged: run.tagged }) });
      io.out(`sim-mesh: ${run.rps} req/s to ${s.namespace}/${s.service} for at most ${run.maxSeconds} s`);
    }
    io.onStarted?.(mesh);
    if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener("abort", () => resolve(), { once: true }));
  } finally {
    await mesh.close();
  }
}

/** Adds `siskin sim mesh` (and the `sim` group, if no other command added it). */
export function register(program: Command): void {
  const sim = program.commands.find((c) => c.name() === "sim") ?? program.command("sim").description("The simulated world: cluster, mesh, Slack, Git");
  sim
    .command("mesh")
    .description("Run the simulated Istio mesh: routes by live VirtualServices to Ready VMIs, serves Istio /metrics; Ctrl-C stops")
    .option("--kubeconfig <file>", "kubeconfig of the API server to watch (default: KUBECONFIG or ~/.kube/config)")
    .option("--port <port>", "port of /metrics and the request front", "9464")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--rps <n>", "requests per second sent to each --service (0 = none)", "0")
    .option("--service <ns/name>", "service to load (comma list or repeated)", collect)
    .option("--header <name=value>", "header on generated requests, for A/B matches (repeatable)", collect)
    .option("--tagged-share <0..1>", "share of each load's requests that also carry the --tagged-header headers")
    .option("--tagged-header <name=value>", "header on the tagged share only, e.g. x-canary=always for a matched step (repeatable)", collect)
    .option("--path <path>", "path of generated requests", "/")
    .option("--max-seconds <n>", "stop the load after this many seconds", "3600")
    .option("--max-requests <n>", "stop each load after this many requests")
    .option("--seed <n>", "seed of the simulation's random streams", "1")
    .exitOverride((err) => {
      if (err.exitCode === 0) throw err;
      throw new CommanderError(SIM_MESH_USAGE_EXIT, err.code, err.message);
    })
    .action(async (opts: SimMeshCliOptions) => {
      const parsed = parseSimMeshOptions(opts);
      if (!parsed.ok) throw new CommanderError(SIM_MESH_USAGE_EXIT, "siskin.sim.mesh", `sim mesh: ${parsed.errors.join("; ")}`);
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        await runSimMesh(parsed.value, { signal: ac.signal, out: (l) => process.stdout.write(`${l}\n`) });
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
