// `siskin release <ns/rollout> <version>`: asks release-trigger's API (`POST /api/v1/releases`,
// bearer token) for a release and prints its id on stdout (hints go to stderr, so scripts can
// capture the id). Logic in `runRelease` with `fetch` injected.
import type { Command } from "commander";
import { cliActor, ensureGlobalOptions, globalsOf, runOutcome, type CliActor } from "../lib/context.js";
import { CliError, Exit, usageError, type CliOutcome } from "../lib/errors.js";
import { actorLabel } from "../lib/format.js";

/** release-trigger's default listener (its SISKIN_LISTEN_PORT). */
export const DEFAULT_API = "http://127.0.0.1:8082";
const REQUEST_TIMEOUT_MS = 15_000;

/** Options of `siskin release`. */
export interface ReleaseOptions {
  rollout: string;
  version: string;
  tag?: string;
  commit?: string;
  /** Base URL of release-trigger. */
  api: string;
  /** Bearer token (SISKIN_API_TOKEN). */
  token: string | undefined;
  json: boolean;
}

const ROLLOUT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const VERSION = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const COMMIT = /^[0-9a-f]{7,64}$/;

function checkFlags(o: ReleaseOptions): { url: URL; token: string } {
  const problems: string[] = [];
  if (!ROLLOUT.test(o.rollout)) problems.push(`rollout "${o.rollout}" must be <namespace>/<name> of a VMRollout, e.g. shop/ratings`);
  if (o.version.length > 63 || !VERSION.test(o.version)) problems.push(`version "${o.version}" must be a Kubernetes label value (letters, digits, - _ .; at most 63), e.g. v1.2.0`);
  if (o.commit !== undefined && !COMMIT.test(o.commit)) problems.push(`--commit "${o.commit}" must be a lowercase hex SHA of 7 to 64 characters`);
  if (o.tag !== undefined && (o.tag === "" || o.tag.length > 255)) problems.push("--tag must be 1 to 255 characters");
  if (o.token === undefined || o.token === "") problems.push("SISKIN_API_TOKEN is not set: the release API needs the bearer token release-trigger was started with");
  let url: URL | undefined;
  try {
    url = new URL("api/v1/releases", o.api.endsWith("/") ? o.api : `${o.api}/`);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    problems.push(`--api "${o.api}" is not an http(s) URL, e.g. ${DEFAULT_API}`);
  }
  if (problems.length > 0 || url === undefined) throw usageError(`release: ${problems.join("; ")}`);
  return { url, token: o.token ?? "" };
}

const errorText = (body: unknown, raw: string) =>
  typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string" ? (body as { error: string }).error : raw.slice(0, 300) || "(empty body)";

/** `siskin release` without process access. */
export async function runRelease(o: ReleaseOptions, deps: { fetch: typeof fetch; actor: CliActor }): Promise<CliOutcome> {
  const { url, token } = checkFlags(o);
  const body = {
    rollout: o.rollout,
    version: o.version,
    ...(o.tag === undefined ? {} : { tag: o.tag }),
    ...(o.commit === undefined ? {} : { commit: o.commit }),
    requestedBy: deps.actor.id,
  };
  let res: Response;
  try {
    res = await deps.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new CliError(`cannot reach the release API at ${url.href}: ${cause}; is release-trigger running? pass --api or set SISKIN_API_URL`);
  }
  const raw = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (res.status === 401) throw new CliError(`the release API at ${url.href} refused the token (401): set SISKIN_API_TOKEN to the token release-trigger was started with`);
  if (res.status === 404) {
    const what = errorText(parsed, raw);
    throw new CliError(`release of ${o.rollout} ${o.version} refused (404): ${what}; check the name with: kubectl get vmrollouts -n ${o.rollout.split("/")[0]}`);
  }
  const releaseId = (parsed as { releaseId?: unknown } | undefined)?.releaseId;
  if (res.status >= 300 || typeof releaseId !== "string") {
    throw new CliError(`release of ${o.rollout} ${o.version} refused by ${url.href} (${res.status}): ${errorText(parsed, raw)}`);
  }
  const duplicate = (parsed as { duplicate?: unknown }).duplicate === true;
  if (o.json) return { stdout: `${JSON.stringify(parsed)}\n`, stderr: "", code: Exit.ok };
  const note = duplicate ? `release ${releaseId} was already requested (the API answered with the earlier request)` : `release ${releaseId} requested as ${actorLabel(deps.actor)}`;
  return { stdout: `${releaseId}\n`, stderr: `${note}; follow it with: siskin watch ${releaseId}\n`, code: Exit.ok };
}

/** Adds `siskin release` to the program. */
export function register(program: Command): void {
  ensureGlobalOptions(program);
  program
    .command("release")
    .argument("<rollout>", "the VMRollout, <namespace>/<name>")
    .argument("<version>", "the version to release, e.g. v1.2.0")
    .description("ask release-trigger's API for a release; prints the release id (token: SISKIN_API_TOKEN)")
    .option("--tag <tag>", "the Git tag of the version")
    .option("--commit <sha>", "the tagged commit SHA")
    .option("--api <url>", `release-trigger's base URL (default: SISKIN_API_URL or ${DEFAULT_API})`)
    .action(async (rollout: string, version: string, flags: { tag?: string; commit?: string; api?: string }, cmd: Command) => {
      const g = globalsOf(cmd, process.env, process.stdout.isTTY === true);
      const api = flags.api ?? (process.env.SISKIN_API_URL !== undefined && process.env.SISKIN_API_URL !== "" ? process.env.SISKIN_API_URL : DEFAULT_API);
      const opts: ReleaseOptions = {
        rollout,
        version,
        api,
        token: process.env.SISKIN_API_TOKEN,
        json: g.json,
        ...(flags.tag === undefined ? {} : { tag: flags.tag }),
        ...(flags.commit === undefined ? {} : { commit: flags.commit }),
      };
      await runOutcome("release", () => runRelease(opts, { fetch, actor: cliActor(process.env) }));
    });
}
