// `siskin approve|reject|pause|resume|abort|promote <releaseId>`: an operator's action, published as
// cmd.orchestrator.control after checking that the release exists and the action applies to its state.
import type { Command } from "commander";
import { ControlAction, isDecideAction, type OrchestratorControl } from "../../../schemas/control.js";
import { apiControlSender } from "../lib/api-control.js";
import { DEFAULT_API } from "./release.js";
import { cliActor, ensureGlobalOptions, globalsOf, runOutcome, type CliActor } from "../lib/context.js";
import { CliError, Exit, usageError, type CliOutcome } from "../lib/errors.js";
import { actorLabel } from "../lib/format.js";
import { connectCli, kvReleaseStore, natsControlSender } from "../lib/nats.js";
import type { ControlSender, ReleaseStore } from "../lib/ports.js";
import { loadRelease, parseReleaseRef } from "../lib/releases.js";
import { actionHelp, actionProblem } from "../../runtime/release-actions.js";

export { actionHelp, actionProblem };

/** Options of a control command. */
export interface ControlOptions {
  action: ControlAction;
  releaseId: string;
  reason?: string;
  /** Send even when the release's state says the action does not apply. */
  force: boolean;
  json: boolean;
}

/** A control command without process access. */
export async function runControl(o: ControlOptions, deps: { store: ReleaseStore; sender: ControlSender; actor: CliActor }): Promise<CliOutcome> {
  const ref = parseReleaseRef(o.releaseId, false);
  if (ref.kind !== "release") throw usageError(`give a release id <ns>/<rollout>/<version>, not "${o.releaseId}"`);
  if (o.reason !== undefined && o.reason.length > 2000) throw usageError(`--reason is ${o.reason.length} characters; at most 2000 are allowed`);
  const view = await loadRelease(deps.store, ref.releaseId);
  const problem = actionProblem(o.action, view);
  if (problem !== null && !o.force) throw new CliError(`${problem} (add --force to send the ${o.action} anyway; see: siskin status ${view.releaseId})`);
  const data: OrchestratorControl = { action: o.action, actor: deps.actor, ...(o.reason === undefined ? {} : { reason: o.reason }) };
  const sent = await deps.sender.send(view.releaseId, data);
  if (o.json) {
    const body = { releaseId: view.releaseId, ...data, commandId: sent.id, seq: sent.seq, duplicate: sent.duplicate, ...(problem === null ? {} : { warning: problem }) };
    return { stdout: `${JSON.stringify(body)}\n`, stderr: "", code: Exit.ok };
  }
  const reason = o.reason === undefined ? "" : `, reason "${o.reason}"`;
  const lines = [
    `asked the orchestrator to ${o.action} ${view.releaseId} (as ${sent.seq === undefined ? "the user of your API token" : actorLabel(deps.actor)}${reason}; it was ${view.state})`,
    `command ${sent.id} ${sent.seq === undefined ? "was accepted by the release API" : `is #${sent.seq} on the COMMANDS stream`}${sent.duplicate ? " (a duplicate: it was already there)" : ""}; follow it with: siskin watch ${view.releaseId}`,
  ];
  return { stdout: `${lines.join("\n")}\n`, stderr: problem === null ? "" : `warning: ${problem}\n`, code: Exit.ok };
}

/** Adds the six control commands to the program. */
export function register(program: Command): void {
  ensureGlobalOptions(program);
  for (const action of ControlAction) {
    const sub = program.command(action);
    if (isDecideAction(action)) sub.option("--api <url>", `release-trigger's base URL (default: SISKIN_API_URL or ${DEFAULT_API}); token: your own SISKIN_API_TOKEN`);
    sub
      .argument("<release>", "release id: <namespace>/<rollout>/<version> (list them with: siskin status)")
      .description(`${actionHelp[action]} (${isDecideAction(action) ? "release API, as your personal token's user" : "cmd.orchestrator.control"})`)
      .option("--reason <text>", "why, recorded in the release's audit history")
      .option("--force", "send even when the release's state says the action does not apply")
      .action(async (releaseId: string, flags: { reason?: string; force?: boolean; api?: string }, cmd: Command) => {
        const g = globalsOf(cmd, process.env, process.stdout.isTTY === true);
        await runOutcome(action, async () => {
          parseReleaseRef(releaseId, false);
          const nc = await connectCli(g.nats, process.env);
          try {
            const store = await kvReleaseStore(nc);
            const opts: ControlOptions = { action, releaseId, force: flags.force === true, json: g.json, ...(flags.reason === undefined ? {} : { reason: flags.reason }) };
            // Approve, reject, promote: as the person the API token names, never as the shared `cli` user.
            const sender = isDecideAction(action)
              ? apiControlSender({ fetch, api: flags.api ?? (process.env.SISKIN_API_URL || DEFAULT_API), token: process.env.SISKIN_API_TOKEN })
              : natsControlSender(nc);
            return await runControl(opts, { store, sender, actor: cliActor(process.env) });
          } finally {
            await nc.close();
          }
        });
      });
  }
}
