// `siskin sim slack` serves sim-slack until Ctrl-C; `siskin sim git push-tag|ping` sends one signed
// GitHub delivery to a webhook URL (release-trigger's `/webhooks/github`) and prints the answer.
import type { Command } from "commander";
import { createSimGit, type DeliveryResult } from "../../git/sim.js";
import { toOptions } from "../../slack/config.js";
import { startSimSlack } from "../../slack/server.js";

/** Flags of `sim git`. */
export interface SimGitFlags {
  url: string;
  secret: string;
  form?: boolean;
}

/** Send one tag push; the result is what the receiver answered. */
export function runPushTag(flags: SimGitFlags, p: { repository: string; tag: string; sha: string; pusher?: string }): Promise<DeliveryResult> {
  const git = createSimGit({ url: flags.url, secret: flags.secret, contentType: flags.form === true ? "form" : "json" });
  return git.pushTag({ repository: p.repository, tag: p.tag, sha: p.sha, ...(p.pusher === undefined ? {} : { pusher: p.pusher }) });
}

const print = (r: DeliveryResult) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
const collect = (v: string, prev: string[] = []) => [...prev, v];

function simGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === "sim") ?? program.command("sim").description("The simulated world: cluster, mesh, Slack, Git");
}

/** Adds `sim slack` and `sim git` to the program. */
export function register(program: Command): void {
  const sim = simGroup(program);
  sim
    .command("slack")
    .description("serve sim-slack (Slack Web API, response_urls, /_sim/messages) until Ctrl-C")
    .option("--port <port>", "port (0 = any free port)", "18090")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--signing-secret <s>", "signing secret of clicks", "sim-slack-signing-secret")
    .option("--bot-token <t>", "accepted bot token", "xoxb-sim-slack-token")
    .option("--interactivity-url <url>", "where clicks are POSTed (approval-gateway)")
    .option("--user <id:name>", "a user (repeatable)", collect)
    .option("--usergroup <id=U1+U2>", "a user group (repeatable)", collect)
    .action(async (o: { port: string; host: string; signingSecret: string; botToken: string; interactivityUrl?: string; user?: string[]; usergroup?: string[] }) => {
      const s = await startSimSlack(
        toOptions({ host: o.host, port: Number(o.port), signingSecret: o.signingSecret, botToken: o.botToken, ...(o.interactivityUrl === undefined ? {} : { interactivityUrl: o.interactivityUrl }), users: o.user ?? [], usergroups: o.usergroup ?? [], channels: [] }),
      );
      process.stdout.write(`sim-slack listening on ${s.url} (Web API ${s.apiUrl}, messages ${s.url}/_sim/messages)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await s.close();
    });
  const git = sim.command("git").description("send signed GitHub webhook deliveries");
  git
    .command("push-tag")
    .description("push a new tag: a signed `push` delivery with created: true")
    .requiredOption("--url <url>", "webhook URL, e.g. http://127.0.0.1:8082/webhooks/github")
    .requiredOption("--secret <secret>", "webhook secret")
    .requiredOption("--repository <owner/name>", "repository full name")
    .requiredOption("--tag <tag>", "tag name, e.g. v2.3.0")
    .option("--sha <sha>", "tagged commit", "9fceb02d0ae598e95dc970b74767f19372d61af8")
    .option("--pusher <login>", "who pushed")
    .option("--form", "send application/x-www-form-urlencoded (payload=)")
    .action(async (o: SimGitFlags & { repository: string; tag: string; sha: string; pusher?: string }) => {
      print(await runPushTag(o, o));
    });
  git
    .command("ping")
    .description("send the ping GitHub sends when a hook is created")
    .requiredOption("--url <url>", "webhook URL")
    .requiredOption("--secret <secret>", "webhook secret")
    .requiredOption("--repository <owner/name>", "repository full name")
    .action(async (o: SimGitFlags & { repository: string }) => {
      print(await createSimGit({ url: o.url, secret: o.secret }).ping(o.repository));
    });
}
