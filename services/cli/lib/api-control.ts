// Approve, reject and promote from the CLI go through release-trigger's API with the operator's own
// token: the API maps the token to the person, so the approval names who really asked. The shared
// `cli` NATS user may pause, resume and abort, never approve (docs/security.md).
import type { OrchestratorControl } from "../../../schemas/control.js";
import { CliError, usageError } from "./errors.js";
import type { ControlSender } from "./ports.js";

const REQUEST_TIMEOUT_MS = 15_000;

/** A {@link ControlSender} that posts to `POST /api/v1/releases/:ns/:rollout/:version/actions` with a personal token. */
export function apiControlSender(deps: { fetch: typeof fetch; api: string; token: string | undefined }): ControlSender {
  return {
    async send(releaseId, data: OrchestratorControl) {
      if (deps.token === undefined || deps.token === "") {
        throw usageError(`${data.action} needs your personal release API token in SISKIN_API_TOKEN (the shared NATS credential may pause, resume or abort, never ${data.action})`);
      }
      const url = new URL(`api/v1/releases/${releaseId.split("/").map(encodeURIComponent).join("/")}/actions`, deps.api.endsWith("/") ? deps.api : `${deps.api}/`);
      let res: Response;
      try {
        res = await deps.fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${deps.token}` },
          body: JSON.stringify({ action: data.action, ...(data.reason === undefined ? {} : { reason: data.reason }) }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        throw new CliError(`cannot reach the release API at ${url.href}: ${cause}; pass --api or set SISKIN_API_URL`);
      }
      const body = (await res.json().catch(() => ({}))) as { commandId?: unknown; duplicate?: unknown; error?: unknown };
      if (res.status !== 202 || typeof body.commandId !== "string") {
        throw new CliError(`the release API refused the ${data.action} (${res.status}): ${typeof body.error === "string" ? body.error : "no reason given"}`);
      }
      return { id: body.commandId, duplicate: body.duplicate === true };
    },
  };
}
