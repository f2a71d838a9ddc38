/**
 * alert-ingest against a real Alertmanager (webhook receiver pointing at alert-ingest's real port, with
 * a bearer token) and a real nats-server: alerts posted to Alertmanager arrive as `evt.alert.*` in JetStream.
 */
import { jetstream, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, type MessageOf } from "../../schemas/codec.js";
import type { AlertIndexEntry } from "../../schemas/rollout-index.js";
import { Bucket, Event, Header, rolloutKey, Stream } from "../../schemas/subjects.js";
import { labelsFingerprint } from "../../services/alert-ingest/fingerprint.js";
import { upstream, upstreamFixtures } from "../../services/alert-ingest/fixtures.test-util.js";
import { main, type RunningAlertIngest } from "../../services/alert-ingest/main.js";
import { connectNats, openKv, provision } from "../../services/runtime/index.js";
import { startAlertmanager, startNats, waitFor, type AlertmanagerServer, type NatsServer } from "../harness/index.js";

const TOKEN = "alertmanager-to-siskin-0123456789";

type AlertMsg = MessageOf<typeof Event.alertFired> | MessageOf<typeof Event.alertResolved>;

let natsSrv: NatsServer;
let nc: NatsConnection;
let ingest: RunningAlertIngest;
let am: AlertmanagerServer;
const received: Array<{ msg: AlertMsg; msgId: string | undefined }> = [];

beforeAll(async () => {
  natsSrv = await startNats();
  nc = await connectNats({ servers: [natsSrv.url] }, "alert-ingest-test");
  await provision(nc);
  const entry: AlertIndexEntry = {
    releaseId: "shop/ratings/v2",
    version: "v2",
    stableVersion: "v1",
    namespace: "shop",
    rollout: "ratings",
    service: "ratings",
    canaryVersion: "v2",
    alertMatchers: [{ alertname: "RatingsCanarySLO", version: "{{version}}" }],
  };
  const rollouts = await openKv(nc, Bucket.rollouts);
  await rollouts.put(rolloutKey("shop", "ratings"), entry);
  // A broken entry is skipped, not fatal.
  await rollouts.put(rolloutKey("shop", "broken"), { releaseId: 42 });

  ingest = await main({
    SISKIN_NATS_SERVERS: natsSrv.url,
    SISKIN_HTTP_PORT: "0",
    SISKIN_WEBHOOK_PORT: "0",
    SISKIN_WEBHOOK_TOKEN: TOKEN,
    SISKIN_LOG_LEVEL: "silent",
  });

  am = await startAlertmanager({
    configYaml: [
      "route:",
      "  receiver: siskin",
      "  group_by: [alertname]",
      "  group_wait: 0s",
      "  group_interval: 1s",
      "  repeat_interval: 1h",
      "receivers:",
      "  - name: siskin",
      "    webhook_configs:",
      `      - url: ${ingest.webhookUrl}/webhooks/alertmanager`,
      "        send_resolved: true",
      "        http_config:",
      "          authorization:",
      `            credentials: ${TOKEN}`,
      "",
    ].join("\n"),
  });

  const events = await jetstream(nc).consumers.get(Stream.events.name, { filter_subjects: "evt.alert.>" });
  void (async () => {
    for await (const m of await events.consume()) received.push(toReceived(m));
  })();
}, 60_000);

function toReceived(m: JsMsg) {
  return { msg: decode(m.subject, m.data) as AlertMsg, msgId: m.headers?.get(Header.msgId) };
}

afterAll(async () => {
  await am?.stop();
  await ingest?.stop();
  await nc?.drain();
  await natsSrv?.stop();
});

async function postAlerts(alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; startsAt: string; endsAt?: string }>) {
  const res = await fetch(`${am.url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts.map((a) => ({ generatorURL: "http://prometheus.test/graph", ...a }))),
  });
  expect(res.status).toBe(200);
}

describe("alert-ingest behind a real Alertmanager", () => {
  it("a firing alert about the canary arrives as evt.alert.fired; one about stable does not; resolving it sends evt.alert.resolved", async () => {
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const canary = { alertname: "RatingsHigh5xx", namespace: "shop", service: "ratings", version: "v2", severity: "critical" };
    const stable = { ...canary, version: "v1" };
    await postAlerts([
      { labels: canary, annotations: { summary: "5xx above 5 %" }, startsAt },
      { labels: stable, annotations: { summary: "5xx above 5 %" }, startsAt },
    ]);

    const fired = await waitFor(() => received.find((r) => r.msg.type === Event.alertFired && r.msg.data.alertname === "RatingsHigh5xx"), {
      timeoutMs: 20_000,
      what: "evt.alert.fired for RatingsHigh5xx in JetStream",
    });
    expect(fired.msg.releaseId).toBe("shop/ratings/v2");
    expect(fired.msg.data).toMatchObject({
      alertname: "RatingsHigh5xx",
      labels: canary,
      annotations: { summary: "5xx above 5 %" },
      rollout: { namespace: "shop", name: "ratings" },
      version: "v2",
    });
    expect(fired.msg.data.endsAt).toBeUndefined();
    // Alertmanager's own fingerprint, which our fallback hash reproduces.
    expect(fired.msg.data.fingerprint).toBe(labelsFingerprint(canary));
    expect(fired.msgId).toBe(`alert:${fired.msg.data.fingerprint}:firing:${fired.msg.data.startsAt}:shop/ratings/v2`);
    // Both alerts came in one group notification: the stable one was ignored, not published.
    expect(received.filter((r) => r.msg.data.labels.version === "v1")).toEqual([]);

    await postAlerts([{ labels: canary, startsAt, endsAt: new Date().toISOString() }]);
    const resolved = await waitFor(() => received.find((r) => r.msg.type === Event.alertResolved && r.msg.data.alertname === "RatingsHigh5xx"), {
      timeoutMs: 20_000,
      what: "evt.alert.resolved for RatingsHigh5xx in JetStream",
    });
    expect(resolved.msg.data.fingerprint).toBe(fired.msg.data.fingerprint);
    expect(resolved.msg.data.endsAt).toBeDefined();
  });

  it("an alert matching the rollout's matcher ({{version}} = canary) maps without namespace/service labels", async () => {
    await postAlerts([{ labels: { alertname: "RatingsCanarySLO", version: "v2" }, startsAt: new Date().toISOString() }]);
    const fired = await waitFor(() => received.find((r) => r.msg.data.alertname === "RatingsCanarySLO"), {
      timeoutMs: 20_000,
      what: "evt.alert.fired for RatingsCanarySLO",
    });
    expect(fired.msg).toMatchObject({ type: Event.alertFired, releaseId: "shop/ratings/v2" });
  });

  it.each(upstreamFixtures)("accepts the upstream payload %s on the real port", async (name) => {
    const res = await fetch(`${ingest.webhookUrl}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(upstream(name)),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; ignored: unknown[] };
    expect(body.accepted + body.ignored.length).toBe(upstream(name).alerts.length);
  });

  it("refuses a request without the token on the real port", async () => {
    const res = await fetch(`${ingest.webhookUrl}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(upstream(upstreamFixtures[0])),
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${ingest.healthUrl}/readyz`)).status).toBe(200);
  });
});
