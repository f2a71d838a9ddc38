// The generated per-worker NATS users (infra/nats/authorization.conf) on a real nats-server: each worker
// can do all it needs (publish its subjects with a PubAck, consume its durable consumer with ack and
// dead-letter, read and write its KV buckets) and nothing it does not own.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageOf, PayloadOf } from "../../schemas/codec.js";
import { Bucket, Command, Consumer, Event, deadLetterSubject, type Subject } from "../../schemas/subjects.js";
import { ADMIN_USER, natsPasswordEnv, workerAccess } from "../../scripts/lib/nats-permissions.js";
import { createPublisher, natsConnectOptions, openKv, provision, startConsumer } from "../../services/runtime/index.js";
import { startNats, waitFor, type NatsServer } from "../harness/index.js";
import { eventStream, kvReleaseEntries, kvThreads, natsControl } from "../../services/dashboard/nats.js";

const root = join(import.meta.dirname, "..", "..");
const password = (user: string) => `pw-${user}-for-test`;
const silent = pino({ level: "silent" });

let server: NatsServer;
let admin: NatsConnection;
const open: NatsConnection[] = [];
/** Asynchronous errors (permission violations the client only hears about) per connection. */
const asyncErrors = new Map<NatsConnection, string[]>();

async function as(user: string): Promise<NatsConnection> {
  // As the workers connect: the inbox prefix follows the user (`_INBOX_<user>`), as the permissions do.
  const nc = await connect(natsConnectOptions({ servers: [server.url], user, pass: password(user) }, `test-${user}`));
  open.push(nc);
  const errors: string[] = [];
  asyncErrors.set(nc, errors);
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.error));
  })();
  return nc;
}

/** Fails when the server refused anything this connection did in the background. */
function expectNoViolations(nc: NatsConnection): void {
  expect(asyncErrors.get(nc)).toEqual([]);
}

/** The message a permission violation produces, whether the client rejects or times out. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as Error).message) + String((err as { cause?: Error }).cause?.message ?? "");
  }
  return "no error";
}

const alert: PayloadOf<typeof Event.alertFired> = {
  fingerprint: "f1",
  alertname: "RatingsHighErrorRate",
  labels: { service: "ratings", version: "v2" },
  annotations: {},
  startsAt: "2026-01-01T00:00:00Z",
  rollout: { namespace: "bookinfo", name: "ratings" },
  version: "v2",
};
const setWeights: PayloadOf<typeof Command.trafficSetWeights> = {
  rollout: { namespace: "bookinfo", name: "ratings" },
  virtualService: { name: "ratings" },
  destinationRule: "ratings",
  versionLabel: "version",
  stableVersion: "v1",
  canaryVersion: "v2",
  stableSubset: "v1",
  canarySubset: "v2",
  canaryWeight: 10,
};
const releaseId = "bookinfo/ratings/v2";

beforeAll(async () => {
  // nats-server reads the passwords from its environment, as in the cluster (Secret → env).
  process.env.SISKIN_NATS_PASSWORD_ADMIN = password(ADMIN_USER);
  for (const user of Object.keys(workerAccess)) process.env[natsPasswordEnv(user)] = password(user);
  server = await startNats({ extraConfig: readFileSync(join(root, "infra/nats/authorization.conf"), "utf8") });
  admin = await connect({ servers: server.url, user: ADMIN_USER, pass: password(ADMIN_USER) });
  await provision(admin);
});

afterAll(async () => {
  for (const nc of [...open, admin]) await nc?.close();
  await server?.stop();
});

describe("NATS authorization generated from schemas/subjects.ts", () => {
  it("refuses a wrong password and a worker without one", async () => {
    const err = await refusal(connect({ servers: server.url, user: "orchestrator", pass: "wrong" }));
    expect(err).toMatch(/authorization/i);
  });

  it("traffic-router cannot publish a command it does not own", async () => {
    const nc = await as("traffic-router");
    const js = jetstream(nc, { timeout: 2_000 });
    const err = await refusal(js.publish(Command.vmProvision, "{}"));
    expect(err).toMatch(/permissions violation for publish/i);
    expect(err).toContain(Command.vmProvision);
  });

  it("alert-ingest cannot publish commands or another worker's events, nor write the rollouts bucket", async () => {
    const nc = await as("alert-ingest");
    const js = jetstream(nc, { timeout: 2_000 });
    expect(await refusal(js.publish(Command.trafficSetWeights, "{}"))).toMatch(/permissions violation/i);
    expect(await refusal(js.publish(Event.approvalGranted, "{}"))).toMatch(/permissions violation/i);
    const kv = await openKv(nc, Bucket.rollouts);
    expect(await refusal(kv.put("bookinfo.ratings", { x: 1 }))).toMatch(/permissions violation/i);
  });

  it("orchestrator cannot publish operator controls (release-trigger and cli own them) nor read the analyses bucket", async () => {
    const nc = await as("orchestrator");
    const js = jetstream(nc, { timeout: 2_000 });
    expect(await refusal(js.publish(Command.orchestratorControl, "{}"))).toMatch(/permissions violation/i);
    expect(await refusal(openKv(nc, Bucket.analyses))).toMatch(/permissions violation|timeout/i);
  });

  it("dashboard reads releases and threads, follows EVENTS with one ordered consumer and sends controls, but writes no bucket and states no event", async () => {
    const pub = createPublisher(admin, { source: "test" });
    await pub.publish(Event.trafficWeightsSet, { releaseId, id: "dash-evt", data: { canaryWeight: 10, routes: [], resourceVersion: "1", attempts: 1 } });
    const adminReleases = await openKv(admin, Bucket.releases);
    await adminReleases.put("dash-key", { releaseId });
    const nc = await as("dashboard");
    const entries = await kvReleaseEntries(nc);
    expect((await entries.list()).map((e) => e.releaseId)).toContain("dash-key");
    await adminReleases.delete("dash-key");
    expect(await (await kvThreads(nc)).get(releaseId)).toBeNull();
    const seen: string[] = [];
    const events = eventStream(nc, Date.now() - 3600_000, () => undefined);
    await events.start((m) => seen.push(m.id));
    await waitFor(() => seen.includes("dash-evt"), { timeoutMs: 5_000, what: "the dashboard's ordered consumer to deliver" });
    await events.stop();
    const sent = await natsControl(nc).send(releaseId, { action: "pause", actor: { kind: "dashboard", id: "alice" } });
    expect(sent.duplicate).toBe(false);
    const js = jetstream(nc, { timeout: 2_000 });
    expect(await refusal(js.publish(Event.approvalGranted, "{}"))).toMatch(/permissions violation/i);
    expect(await refusal((await openKv(nc, Bucket.releases)).put("x", { x: 1 }))).toMatch(/permissions violation/i);
    expect(asyncErrors.get(nc)?.filter((e) => !/\$KV|approval/.test(e))).toEqual([]);
  });

  it("no worker may create or delete streams: provisioning is the admin's (the orchestrator runs with SISKIN_PROVISION=false)", async () => {
    const nc = await as("orchestrator");
    const jsm = await jetstream(nc, { timeout: 2_000 }).jetstreamManager();
    expect(await refusal(jsm.streams.add({ name: "ROGUE", subjects: ["rogue.>"] }))).toMatch(/permissions violation|timeout/i);
    expect(await refusal(jsm.streams.delete("EVENTS"))).toMatch(/permissions violation|timeout/i);
    expect(await refusal(provision(nc))).toMatch(/permissions violation|timeout/i);
  });

  it("traffic-router consumes its durable consumer, acks, dead-letters and publishes its events", async () => {
    const pub = createPublisher(admin, { source: "test-orchestrator" });
    await pub.publish(Command.trafficSetWeights, { releaseId, data: setWeights, id: "tr-ok" });
    // An undecodable command goes to dlq.trafficRouter (a publish the worker must be allowed) and is terminated.
    await jetstream(admin).publish(Command.trafficSetWeights, "not json", { msgID: "tr-bad" });

    const nc = await as("traffic-router");
    const out = createPublisher(nc, { source: "traffic-router" });
    const handled: Array<MessageOf<Subject>> = [];
    const running = await startConsumer(
      nc,
      "trafficRouter",
      async (msg) => {
        handled.push(msg);
        const ack = await out.publish(Event.trafficWeightsFailed, {
          releaseId,
          causationId: msg.id,
          data: { canaryWeight: 10, code: "SISKIN_ERR_CONFLICT", message: "test", retryable: true },
        });
        expect(ack.seq).toBeGreaterThan(0);
      },
      { logger: silent, registry: new Registry() },
    );
    const jsm = await jetstream(admin).jetstreamManager();
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(Consumer.trafficRouter.stream, "trafficRouter");
        return handled.length === 1 && info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 10_000, what: "trafficRouter to ack its command and dead-letter the bad one" },
    );
    await running.stop();
    expect(handled[0]?.type).toBe(Command.trafficSetWeights);
    const dlq = await jsm.streams.getMessage("DLQ", { last_by_subj: deadLetterSubject("trafficRouter") });
    expect(dlq?.string()).toBe("not json");
    const evt = await jsm.streams.getMessage("EVENTS", { last_by_subj: Event.trafficWeightsFailed });
    expect(evt?.json<{ causationId: string }>().causationId).toBe("tr-ok");
    expectNoViolations(nc);
  });

  it("orchestrator consumes events and operator controls, writes its KV buckets and publishes commands", async () => {
    const pub = createPublisher(admin, { source: "test" });
    await pub.publish(Event.alertFired, { releaseId, data: alert, id: "al-1" });
    await pub.publish(Command.orchestratorControl, {
      releaseId,
      data: { action: "pause", actor: { kind: "cli", id: "alice" } },
      id: "ctl-1",
    });

    const nc = await as("orchestrator");
    const out = createPublisher(nc, { source: "orchestrator" });
    const releases = await openKv(nc, Bucket.releases);
    const rollouts = await openKv(nc, Bucket.rollouts);
    const seen: string[] = [];
    const handler = async (msg: MessageOf<Subject>) => {
      seen.push(msg.type);
      const current = await releases.get("r1");
      if (current === null) await releases.create("r1", { seen: [msg.type] });
      else await releases.update("r1", { seen: [...(current.value as { seen: string[] }).seen, msg.type] }, current.revision);
      await out.publish(Command.notifySend, { releaseId, causationId: msg.id, id: `${msg.id}:notify`, data: { severity: "info", text: msg.type } });
    };
    const a = await startConsumer(nc, "orchestrator", handler, { logger: silent, registry: new Registry() });
    const b = await startConsumer(nc, "orchestratorControl", handler, { logger: silent, registry: new Registry() });
    await waitFor(() => seen.includes(Event.alertFired) && seen.includes(Command.orchestratorControl), {
      timeoutMs: 10_000,
      what: "the orchestrator to handle evt.alert.fired and cmd.orchestrator.control",
    });
    await a.stop();
    await b.stop();

    await rollouts.put("bookinfo.ratings", { releaseId });
    expect((await rollouts.get("bookinfo.ratings"))?.value).toEqual({ releaseId });
    expect(await rollouts.keys()).toContain("bookinfo.ratings");
    expect(await releases.keys()).toEqual(["r1"]);
    await rollouts.delete("bookinfo.ratings");
    const jsm = await jetstream(admin).jetstreamManager();
    const notified = await jsm.streams.getMessage("COMMANDS", { last_by_subj: Command.notifySend });
    expect(notified).not.toBeNull();
    expectNoViolations(nc);
  });

  it("alert-ingest publishes alert events (PubAck) and reads the rollouts bucket", async () => {
    const adminKv = await openKv(admin, Bucket.rollouts);
    await adminKv.put("bookinfo.ratings", { releaseId });

    const nc = await as("alert-ingest");
    const out = createPublisher(nc, { source: "alert-ingest" });
    const fired = await out.publish(Event.alertFired, { releaseId, data: alert });
    const resolved = await out.publish(Event.alertResolved, { releaseId, data: { ...alert, endsAt: "2026-01-01T00:05:00Z" } });
    expect(resolved.seq).toBeGreaterThan(fired.seq);
    expect(fired.duplicate).toBe(false);

    const kv = await openKv(nc, Bucket.rollouts);
    expect((await kv.get("bookinfo.ratings"))?.value).toEqual({ releaseId });
    expect(await kv.keys()).toContain("bookinfo.ratings");
    expect(await kv.get("absent")).toBeNull();
    expectNoViolations(nc);
  });

  it.each(Object.entries(workerAccess).filter(([, a]) => a.consumes.length > 0))(
    "%s can look up each of its durable consumers and no other",
    async (user, access) => {
      const nc = await as(user);
      const js = jetstream(nc, { timeout: 2_000 });
      for (const c of access.consumes) {
        const info = await (await js.consumers.get(Consumer[c].stream, c)).info(true);
        expect(info.name).toBe(c);
      }
      const other = (Object.keys(Consumer) as Array<keyof typeof Consumer>).find((c) => !access.consumes.includes(c));
      if (other === undefined) throw new Error(`${user} consumes every consumer; the test needs one it does not`);
      expect(await refusal(js.consumers.get(Consumer[other].stream, other))).toMatch(/permissions violation|timeout/i);
    },
  );
});

// Issue 14: the side doors stay shut on a real nats-server with the generated permissions.
describe("no side doors through NATS", () => {
  const forgedSpec = { steps: [{ weight: 100 }], image: "evil.example/miner" };

  it("the cli user cannot state a release, bring a spec, approve, or write what the orchestrator reads", async () => {
    const nc = await as("cli");
    const js = jetstream(nc, { timeout: 2_000 });
    for (const subject of [Event.releaseRequested, Command.orchestratorRelease, Command.vmProvision, Event.rolloutSpecChanged, Command.orchestratorDecide, Event.approvalGranted, Event.approvalDenied]) {
      expect(await refusal(js.publish(subject, JSON.stringify({ data: { spec: forgedSpec, action: "approve" } }))), subject).toMatch(/permissions violation/i);
    }
    expect(await refusal((await openKv(nc, Bucket.releases)).put("x", { forged: true }))).toMatch(/permissions violation/i);
    // What it may do: a safe operator action.
    const ok = await createPublisher(nc, { source: "siskin-cli" }).publish(Command.orchestratorControl, { releaseId, data: { action: "pause", actor: { kind: "cli", id: "alice" } } });
    expect(ok.duplicate).toBe(false);
  });

  it("release-trigger may ask for a release and publish an authenticated decision, but never state the release itself", async () => {
    const nc = await as("release-trigger");
    const out = createPublisher(nc, { source: "release-trigger" });
    const ask = await out.publish(Command.orchestratorRelease, {
      releaseId,
      data: { rollout: { namespace: "bookinfo", name: "ratings" }, version: "v2", requestedBy: { kind: "api", id: "U0ALICE" }, idempotencyKey: "k" },
    });
    expect(ask.seq).toBeGreaterThan(0);
    const decide = await out.publish(Command.orchestratorDecide, { releaseId, data: { action: "approve", actor: { kind: "api", id: "U0ALICE" } } });
    expect(decide.seq).toBeGreaterThan(0);
    const js = jetstream(nc, { timeout: 2_000 });
    expect(await refusal(js.publish(Event.releaseRequested, "{}"))).toMatch(/permissions violation/i);
    expect(await refusal(js.publish(Event.approvalGranted, "{}"))).toMatch(/permissions violation/i);
  });

  it("only the orchestrator states evt.release.requested; only approval-gateway evt.approval.granted; only people-authenticating workers decide", async () => {
    const orchestrator = await as("orchestrator");
    const gateway = await as("approval-gateway");
    const js = jetstream(orchestrator, { timeout: 2_000 });
    expect(await refusal(js.publish(Event.approvalGranted, "{}"))).toMatch(/permissions violation/i);
    expect(await refusal(jetstream(gateway, { timeout: 2_000 }).publish(Event.releaseRequested, "{}"))).toMatch(/permissions violation/i);
    for (const [user, access] of Object.entries(workerAccess)) {
      expect(access.publishes.includes(Event.releaseRequested), user).toBe(user === "orchestrator");
      expect(access.publishes.includes(Event.approvalGranted), user).toBe(user === "approval-gateway");
      // The workers that authenticate people: per-person API tokens, OIDC.
      expect(access.publishes.includes(Command.orchestratorDecide), user).toBe(user === "release-trigger" || user === "dashboard");
    }
  });

  it("a worker cannot read another user's replies: each user has its own inbox prefix and nothing under _INBOX.>", async () => {
    const cli = await as("cli");
    const spy = await as("traffic-router");
    const spyErrors = asyncErrors.get(spy)!;
    const got: string[] = [];
    for (const subject of ["_INBOX.>", "_INBOX_cli.>", ">"]) {
      const sub = spy.subscribe(subject);
      // A refused subscription ends its iterator with the violation (collected in spyErrors).
      void (async () => {
        for await (const m of sub) got.push(m.subject);
      })().catch(() => undefined);
    }
    await spy.flush();
    await waitFor(() => spyErrors.length >= 3, { timeoutMs: 5_000, what: "the three subscriptions to be refused" });
    expect(spyErrors.join("\n")).toMatch(/permissions violation for subscription to "_INBOX\.>"/i);
    expect(spyErrors.join("\n")).toMatch(/permissions violation for subscription to "_INBOX_cli\.>"/i);

    // The cli reads a release record: its reply comes on _INBOX_cli.…, which nobody else may read.
    await (await openKv(admin, Bucket.releases)).put("secret-release", { record: "audit history" });
    const kv = await openKv(cli, Bucket.releases);
    expect((await kv.get("secret-release"))?.value).toEqual({ record: "audit history" });
    await spy.flush();
    expect(got).toEqual([]);
    expectNoViolations(cli);
  });
});
