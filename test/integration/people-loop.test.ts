/**
 * The people loop, end to end over real sockets: a signed tag push from sim-git reaches
 * release-trigger (VMRollouts read from sim-cluster) → cmd.orchestrator.release in JetStream (a real
 * nats-server) → the orchestrator's admission reads the spec from sim-cluster → evt.release.requested → the notifier opens the release's thread in sim-slack → (the test plays the
 * orchestrator) cmd.approval.request → approval-gateway posts buttons in that thread → a
 * non-approver's click is refused → an approver's click publishes evt.approval.granted and updates
 * the message → the thread tells the story.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, type MessageOf } from "../../schemas/codec.js";
import { createAdmission } from "../../services/orchestrator/admit.js";
import { commandPublisher } from "../../services/orchestrator/nats-ports.js";
import { pushKeyOf } from "../../services/release-trigger/service.js";
import { createVMRolloutReader } from "../../services/runtime/vmrollout.js";
import { VMRolloutResource, type VMRolloutSpec } from "../../schemas/rollout.js";
import { Bucket, Command, Event, releaseKey, Stream } from "../../schemas/subjects.js";
import { main as approvalGateway, type RunningApprovalGateway } from "../../services/approval-gateway/main.js";
import { main as notifier, type RunningNotifier } from "../../services/notifier/main.js";
import { main as releaseTrigger, type RunningReleaseTrigger } from "../../services/release-trigger/main.js";
import { connectNats, createPublisher, openKv, provision, type JsonKv, type Publisher } from "../../services/runtime/index.js";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { createSimGit, type SimGit } from "../../sim/git/sim.js";
import { signedInteraction } from "../../sim/slack/interactivity.js";
import { startSimSlack, type SimSlack } from "../../sim/slack/server.js";
import { startNats, waitFor, type NatsServer } from "../harness/index.js";

const GITHUB_SECRET = "github-webhook-secret";
const SIGNING_SECRET = "slack-signing-secret";
const CHANNEL = "CRELEASES";
const SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
const releaseId = "shop/ratings/v2.3.0";

let natsSrv: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let publisher: Publisher;
let threads: JsonKv;
let cluster: RunningSimCluster;
let slack: SimSlack;
let git: SimGit;
let trigger: RunningReleaseTrigger;
let gateway: RunningApprovalGateway;
let notify: RunningNotifier;
let hookServer: Server;
let staleClick: ReturnType<SimSlack["buildClick"]>;
const hookEvents: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "people-loop-"));

const spec = (hookUrl: string): VMRolloutSpec => ({
  service: "ratings",
  virtualService: { name: "ratings" },
  destinationRule: { name: "ratings" },
  stableVersion: "v2.2.0",
  vmTemplate: { spec: {} },
  source: { repository: "org/ratings", tagPattern: "v*" },
  approvers: { users: ["UALICE"], groups: ["SONCALL"] },
  notify: { slackChannel: CHANNEL, webhooks: [hookUrl] },
});

async function countOf(subject: string): Promise<number> {
  const info = await jsm.streams.info(Stream.events.name, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

async function lastOf<S extends string>(subject: S): Promise<MessageOf<typeof Event.releaseRequested> & Record<string, unknown>> {
  const m = await jsm.streams.getMessage(Stream.events.name, { last_by_subj: subject });
  if (m === null) throw new Error(`no ${subject} in EVENTS`);
  return m.json();
}

beforeAll(async () => {
  natsSrv = await startNats();
  nc = await connectNats({ servers: [natsSrv.url] }, "people-loop-test");
  await provision(nc);
  jsm = await jetstreamManager(nc);
  publisher = createPublisher(nc, { source: "test-orchestrator" });
  threads = await openKv(nc, Bucket.threads);

  hookServer = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hookEvents.push((JSON.parse(body) as { type: string }).type);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as { port: number }).port}/siskin`;

  cluster = await startSimCluster();
  const kc = cluster.kubeConfig();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "shop" } } });
  const { group, version, plural, kind } = VMRolloutResource;
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group,
    version,
    plural,
    namespace: "shop",
    body: { apiVersion: `${group}/${version}`, kind, metadata: { name: "ratings" }, spec: spec(hookUrl) },
  });
  const kubeconfig = join(dir, "kubeconfig");
  await cluster.writeKubeconfig(kubeconfig);

  slack = await startSimSlack({
    signingSecret: SIGNING_SECRET,
    channels: [CHANNEL],
    users: [
      { id: "UALICE", name: "alice" },
      { id: "UBOB", name: "bob" },
      { id: "UEVE", name: "eve" },
    ],
    usergroups: { SONCALL: ["UBOB"] },
  });

  const common = { SISKIN_NATS_SERVERS: natsSrv.url, SISKIN_HTTP_PORT: "0", SISKIN_LOG_LEVEL: "silent" };
  const slackEnv = { SISKIN_SLACK_BOT_TOKEN: slack.botToken, SISKIN_SLACK_API_URL: slack.apiUrl, SISKIN_SLACK_DEFAULT_CHANNEL: CHANNEL };
  trigger = await releaseTrigger({ ...common, SISKIN_LISTEN_PORT: "0", SISKIN_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, SISKIN_API_TOKEN: "api-token-0123456789", SISKIN_KUBECONFIG: kubeconfig });
  gateway = await approvalGateway({ ...common, ...slackEnv, SISKIN_SLACK_SIGNING_SECRET: SIGNING_SECRET, SISKIN_INTERACTIVITY_PORT: "0" });
  notify = await notifier({ ...common, ...slackEnv });
  slack.setInteractivityUrl(gateway.interactivityUrl);
  git = createSimGit({ url: `${trigger.url}/webhooks/github`, secret: GITHUB_SECRET, pusher: { login: "octocat" } });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([trigger?.stop(), gateway?.stop(), notify?.stop()]);
  await nc?.drain();
  await Promise.allSettled([slack?.close(), cluster?.close(), new Promise<void>((r) => (hookServer ? hookServer.close(() => r()) : r()))]);
  await natsSrv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("people loop", () => {
  let deliveryId = "";
  let threadTs = "";
  let approvalTs = "";

  it("a signed tag push becomes a release request; the orchestrator's admission states evt.release.requested with the API server's spec; a forged push changes nothing", async () => {
    const forged = JSON.stringify({ ref: "refs/tags/v9.9.9", created: true, deleted: false, repository: { full_name: "org/ratings" } });
    const res = await fetch(`${trigger.url}/webhooks/github`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "forged-1", "x-hub-signature-256": await sign("wrong-secret", forged) },
      body: forged,
    });
    expect(res.status).toBe(401);

    const pushed = await git.pushTag({ repository: "org/ratings", tag: "v2.3.0", sha: SHA });
    expect(pushed.status).toBe(202);
    expect(pushed.body).toMatchObject({ accepted: [{ rollout: "shop/ratings", releaseId, duplicate: false }] });
    deliveryId = pushed.deliveryId;
    const cmd = await jsm.streams.getMessage(Stream.commands.name, { last_by_subj: Command.orchestratorRelease });
    if (cmd === null) throw new Error("no cmd.orchestrator.release in COMMANDS");
    const ask = decode(Command.orchestratorRelease, cmd.data);
    expect(ask.data).not.toHaveProperty("spec");
    // The orchestrator's part: its real admission, reading the VMRollout from sim-cluster.
    const admit = createAdmission({ rollouts: createVMRolloutReader(cluster.kubeConfig()), publisher: commandPublisher(publisher) });
    await admit(ask);
    const requested = await lastOf(Event.releaseRequested);
    const key = pushKeyOf("org/ratings", "v2.3.0", SHA);
    expect(requested).toMatchObject({
      id: `requested:release:${key}:shop/ratings`,
      releaseId,
      data: { rollout: { namespace: "shop", name: "ratings", generation: 1 }, spec: { approvers: { users: ["UALICE"] } }, version: "v2.3.0", tag: "v2.3.0", commit: SHA, repository: "org/ratings", requestedBy: { kind: "github", id: "octocat" }, idempotencyKey: key },
    });
    const again = await git.redeliver(deliveryId);
    expect(again.body).toMatchObject({ accepted: [{ duplicate: true }] });
    expect(await countOf(Event.releaseRequested)).toBe(1);
  });

  it("the notifier opens the release's thread", async () => {
    const entry = await waitFor(async () => ((await threads.get(`thread.${releaseKey(releaseId)}`))?.value as { ts?: string } | undefined)?.ts, { timeoutMs: 10_000, what: "the release thread in KV" });
    threadTs = entry;
    const first = slack.messages({ channel: CHANNEL })[0]!;
    expect(first.ts).toBe(threadTs);
    const json = JSON.stringify(first.blocks);
    for (const s of ["shop/ratings v2.3.0", "`v2.3.0`", SHA.slice(0, 7), "github:octocat"]) expect(json).toContain(s);
  });

  it("an approval request (the orchestrator's part, played here) posts buttons into the thread", async () => {
    const requested = await lastOf(Event.releaseRequested);
    await publisher.publish(Command.approvalRequest, {
      id: `${releaseId}:7`,
      releaseId,
      causationId: requested.id,
      data: {
        requestId: "1-0",
        rollout: { namespace: "shop", name: "ratings" },
        version: "v2.3.0",
        step: 1,
        fromWeight: 10,
        toWeight: 50,
        verdicts: [{ metric: "error-rate", verdict: "pass", reason: "0.21% ≤ 1% (stable 0.18%)" }],
        approvers: { users: ["UALICE"], groups: ["SONCALL"] },
        expiresAt: Date.now() + 3_600_000,
        onTimeout: "reject",
      },
    });
    const msg = await waitFor(() => slack.messages({ channel: CHANNEL, threadTs }).find((m) => JSON.stringify(m.blocks).includes("siskin_approval_approve")), {
      timeoutMs: 10_000,
      what: "the approval message in the release thread",
    });
    approvalTs = msg.ts;
    expect(msg.thread_ts).toBe(threadTs);
    expect(JSON.stringify(msg.blocks)).toContain("0.21% ≤ 1% (stable 0.18%)");
    await waitFor(async () => (await countOf(Event.approvalRequested)) === 1, { timeoutMs: 5000, what: "evt.approval.requested" });
  });

  it("a non-approver's click is refused ephemerally and publishes nothing", async () => {
    const res = await slack.clickButton({ channel: CHANNEL, ts: approvalTs, actionId: "siskin_approval_approve", user: { id: "UEVE", name: "eve" } });
    expect(res.status).toBe(200);
    expect(slack.ephemerals({ user: "UEVE" })).toMatchObject([{ channel: CHANNEL, text: /You cannot decide this request/ }]);
    expect(await countOf(Event.approvalGranted)).toBe(0);
    expect(await countOf(Event.approvalDenied)).toBe(0);
    expect(slack.messages({ channel: CHANNEL }).find((m) => m.ts === approvalTs)?.edited).toBeUndefined();
  });

  it("an approver's click publishes evt.approval.granted once and updates the message", async () => {
    // A second person's click on the same message, sent once the release has moved on (a stale button).
    staleClick = slack.buildClick({ channel: CHANNEL, ts: approvalTs, actionId: "siskin_approval_approve", user: { id: "UALICE", name: "alice" } });
    const click = slack.buildClick({ channel: CHANNEL, ts: approvalTs, actionId: "siskin_approval_approve", user: { id: "UBOB", name: "bob" } });
    expect((await slack.send(click)).status).toBe(200);
    expect((await slack.send(click)).status).toBe(401);
    expect(await countOf(Event.approvalGranted)).toBe(1);
    const granted = (await jsm.streams.getMessage(Stream.events.name, { last_by_subj: Event.approvalGranted }))!.json<MessageOf<typeof Event.approvalGranted>>();
    expect(granted).toMatchObject({ id: `approval:${releaseId}:1-0`, releaseId, data: { requestId: "1-0", actor: { kind: "slack", id: "UBOB", name: "bob" } } });
    const updated = slack.messages({ channel: CHANNEL }).find((m) => m.ts === approvalTs)!;
    expect(updated.edited).toBeDefined();
    expect(JSON.stringify(updated.blocks)).not.toContain("siskin_approval_approve");
    expect(JSON.stringify(updated.blocks)).toContain("Approved* by <@UBOB>");
  });

  it("the thread tells the story: first message, the approval, steps and the outcome", async () => {
    await publisher.publish(Event.releaseProgressed, {
      id: `${releaseId}:8`,
      releaseId,
      data: { from: "step.awaitingApproval", to: "step.shifting", event: Event.approvalGranted, reason: "approved by bob", step: 1, weight: 50, seq: 8, actor: { kind: "slack", id: "UBOB" } },
    });
    await publisher.publish(Event.releaseCompleted, { id: `${releaseId}:9`, releaseId, data: { outcome: "promoted", reason: "all steps passed", durationMs: 900_000, approvedBy: [{ kind: "slack", id: "UBOB" }] } });
    const story = await waitFor(
      () => {
        const thread = slack.messages({ channel: CHANNEL, threadTs });
        return thread.some((m) => m.text.includes("Release promoted")) ? thread : undefined;
      },
      { timeoutMs: 10_000, what: "the promoted reply in the thread" },
    );
    expect(story[0]!.ts).toBe(threadTs);
    expect(story.slice(1).every((m) => m.thread_ts === threadTs)).toBe(true);
    const texts = story.map((m) => m.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.stringContaining("*Approved* by <@UBOB> at "),
        ":white_check_mark: Approved by <@UBOB> (request 1-0)",
        ":arrow_forward: *step.shifting* (step 2, canary 50%) by <@UBOB>: approved by bob",
        ":white_check_mark: *Release promoted* after 15m: all steps passed\nApproved by <@UBOB>",
      ]),
    );
    await waitFor(() => slack.messages({ channel: CHANNEL })[0]!.text.includes("promoted"), { timeoutMs: 5000, what: "the first message showing the outcome" });
    await waitFor(() => hookEvents.includes(Event.releaseCompleted), { timeoutMs: 5000, what: "the generic webhook" });
    expect(hookEvents[0]).toBe(Event.releaseRequested);
  });

  it("Slack always gets an answer: a stale approval button gets 200 and an ephemeral saying where the release is; another app's button gets 200", async () => {
    const stale = await slack.send(staleClick);
    expect(stale.status).toBe(200);
    const said = await waitFor(() => slack.ephemerals({ user: "UALICE" }).at(-1), { timeoutMs: 5000, what: "the stale button's ephemeral" });
    expect(said.text).toBe(`This request is no longer valid: release ${releaseId} is promoted; the request was granted by <@UBOB>.`);
    expect(await countOf(Event.approvalGranted)).toBe(1);

    const payload = JSON.parse(new URLSearchParams(staleClick.body).get("payload")!) as { actions: Array<Record<string, unknown>>; action_ts?: string };
    payload.actions = [{ ...payload.actions[0], action_id: "another_apps_button", value: "x" }];
    const started = performance.now();
    const other = await slack.send(signedInteraction(payload, SIGNING_SECRET, Date.now()));
    expect(other.status).toBe(200);
    expect(other.body).toBe("");
    expect(performance.now() - started).toBeLessThan(3000);
    expect(slack.ephemerals({ user: "UALICE" })).toHaveLength(1);
  });
});
