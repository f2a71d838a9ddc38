import { describe, expect, it } from "vitest";
import { alertMessageId, mapWebhook, routeOf } from "./evaluate.js";
import { labelsFingerprint } from "./fingerprint.js";
import { routes, upstream, webhook } from "./fixtures.test-util.js";

describe("mapWebhook: label tables", () => {
  it.each([
    ["namespace + service, no version", { alertname: "A", namespace: "shop", service: "ratings" }, ["shop/ratings/v2"], undefined],
    ["Istio destination labels", { alertname: "A", destination_workload_namespace: "shop", destination_canonical_service: "ratings", destination_version: "v2" }, ["shop/ratings/v2"], undefined],
    ["app label and the canary version", { alertname: "A", namespace: "shop", app: "ratings", version: "v2" }, ["shop/ratings/v2"], undefined],
    ["destination_service_name + canonical revision", { alertname: "A", namespace: "shop", destination_service_name: "ratings", destination_canonical_revision: "v2" }, ["shop/ratings/v2"], undefined],
    ["an alert about stable", { alertname: "A", namespace: "shop", service: "ratings", version: "v1" }, [], /names version v1, not the canary v2 of shop\/ratings\/v2/],
    ["another namespace", { alertname: "A", namespace: "prod", service: "ratings" }, [], /no release in flight matches/],
    ["namespace only", { alertname: "A", namespace: "shop" }, [], /no release in flight matches/],
    ["a matcher with {{version}} and the rollout's version label", { alertname: "ReviewsCanaryBroken", release: "v3.1.0" }, ["shop/reviews-ro/v3.1.0"], undefined],
    ["the same matcher for another version", { alertname: "ReviewsCanaryBroken", release: "v3.0.0" }, [], /no release in flight matches/],
    ["service labels of the reviews rollout naming its stable via its version label", { alertname: "A", namespace: "shop", service: "reviews", release: "v3.0.0" }, [], /names version v3\.0\.0, not the canary v3\.1\.0/],
    ["an empty matcher matches nothing", { severity: "page" }, [], /no release in flight matches/],
  ])("%s", (_name, labels, releases, ignoredReason) => {
    const m = mapWebhook(webhook(labels), routes);
    expect(m.messages.map((x) => x.releaseId)).toEqual(releases);
    expect(m.accepted).toBe(releases.length > 0 ? 1 : 0);
    if (ignoredReason === undefined) expect(m.ignored).toEqual([]);
    else expect(m.ignored).toEqual([{ fingerprint: "0123456789abcdef", reason: expect.stringMatching(ignoredReason) }]);
  });

  it("builds the event and its dedupe id", () => {
    const m = mapWebhook(webhook({ alertname: "HighErrorRate", namespace: "shop", service: "ratings", version: "v2" }), routes);
    expect(m.messages).toEqual([
      {
        subject: "evt.alert.fired",
        id: "alert:0123456789abcdef:firing:2025-01-01T00:00:00.123456789Z:shop/ratings/v2",
        releaseId: "shop/ratings/v2",
        data: {
          fingerprint: "0123456789abcdef",
          alertname: "HighErrorRate",
          labels: { alertname: "HighErrorRate", namespace: "shop", service: "ratings", version: "v2" },
          annotations: { summary: "something is wrong" },
          startsAt: "2025-01-01T00:00:00.123456789Z",
          rollout: { namespace: "shop", name: "ratings" },
          version: "v2",
        },
      },
    ]);
  });

  it("a resolved alert becomes evt.alert.resolved with its endsAt", () => {
    const m = mapWebhook(webhook({ alertname: "A", namespace: "shop", service: "ratings" }, { endsAt: "2025-01-01T00:05:00Z" }, "resolved"), routes);
    expect(m.messages[0]).toMatchObject({ subject: "evt.alert.resolved", data: { endsAt: "2025-01-01T00:05:00Z" } });
    expect(m.messages[0]?.id).toContain(":resolved:");
  });

  it("one alert matching two releases gives two events with distinct ids", () => {
    const both = [...routes, { ...routes[0]!, releaseId: "shop/ratings-b/v2", rollout: "ratings-b" }];
    const m = mapWebhook(webhook({ alertname: "A", namespace: "shop", service: "ratings" }), both);
    expect(m.accepted).toBe(1);
    expect(new Set(m.messages.map((x) => x.id)).size).toBe(2);
  });

  it("ignores an alert whose status is neither firing nor resolved", () => {
    const m = mapWebhook(webhook({ alertname: "A", namespace: "shop", service: "ratings" }, { status: "suppressed" }), routes);
    expect(m.ignored[0]?.reason).toMatch(/neither "firing" nor "resolved"/);
  });

  it("keeps message ids within the envelope's 300 characters", () => {
    const id = alertMessageId("0123456789abcdef", "firing", "2025-01-01T00:00:00Z", `ns/${"r".repeat(300)}/v1`);
    expect(id.length).toBeLessThanOrEqual(300);
    expect(id).toMatch(/^alert:0123456789abcdef:firing:2025-01-01T00:00:00Z:[0-9a-f]{16}$/);
  });
});

describe("mapWebhook: upstream fixtures", () => {
  it("v4 firing, older sender (no fingerprint, no truncatedAlerts): fingerprints are derived from the labels", () => {
    const body = upstream("webhook-v4-firing-3-alerts-blackbox.json");
    const m = mapWebhook(body, routes);
    expect(m.accepted).toBe(3);
    expect(m.messages.map((x) => x.subject)).toEqual(["evt.alert.fired", "evt.alert.fired", "evt.alert.fired"]);
    expect(m.messages.map((x) => x.data.fingerprint)).toEqual(body.alerts.map((a) => labelsFingerprint(a.labels)));
    expect(new Set(m.messages.map((x) => x.id)).size).toBe(3);
    expect(m.messages[0]?.data).toMatchObject({ alertname: "ICMP ping failed", rollout: { namespace: "monitoring", name: "blackbox" } });
    expect(m.messages[0]?.data.endsAt).toBeUndefined();
  });

  it("v4 resolved: the same alerts resolve with the same fingerprints", () => {
    const fired = mapWebhook(upstream("webhook-v4-firing-3-alerts-blackbox.json"), routes);
    const resolved = mapWebhook(upstream("webhook-v4-resolved-3-alerts-blackbox.json"), routes);
    expect(resolved.messages.map((x) => x.subject)).toEqual(["evt.alert.resolved", "evt.alert.resolved", "evt.alert.resolved"]);
    expect(resolved.messages.map((x) => x.data.fingerprint)).toEqual(fired.messages.map((x) => x.data.fingerprint));
  });

  it("no per-alert status (msteams fixture): the group's status applies; unmatched alerts are listed", () => {
    const body = upstream("webhook-v4-firing-no-alert-status-msteams.json");
    const m = mapWebhook(body, routes);
    expect(m.accepted).toBe(0);
    expect(m.ignored).toEqual([{ fingerprint: labelsFingerprint(body.alerts[0]!.labels), reason: expect.stringMatching(/no release in flight/) }]);
    const withMatcher = mapWebhook(body, [{ ...routes[2]!, matchers: [{ alertname: "high_memory_load" }] }]);
    expect(withMatcher.messages[0]).toMatchObject({ subject: "evt.alert.fired", id: expect.stringContaining(":firing:2018-03-07T06:33:21.873077559-05:00:") });
  });

  it("current sender with fingerprint and truncatedAlerts (k8s fixture): its fingerprint is used", () => {
    const m = mapWebhook(upstream("webhook-v4-resolved-k8s-deployment.json"), routes);
    expect(m.messages).toHaveLength(1);
    expect(m.messages[0]).toMatchObject({
      subject: "evt.alert.resolved",
      releaseId: "eric-eo-cm-ci406/log-transformer/v2",
      id: "alert:fbab788ec4c1018b:resolved:2022-07-29T11:13:27.3Z:eric-eo-cm-ci406/log-transformer/v2",
      data: { endsAt: "2022-07-29T11:17:27.3Z", alertname: "Deployment" },
    });
  });
});

describe("routeOf", () => {
  it("derives namespace, rollout and canary version from the release id when the entry omits them", () => {
    expect(routeOf({ releaseId: "shop/ratings/v2", version: "v2", service: "ratings", alertMatchers: [{ a: "b" }, {}] })).toEqual({
      releaseId: "shop/ratings/v2",
      namespace: "shop",
      rollout: "ratings",
      service: "ratings",
      canaryVersion: "v2",
      matchers: [{ a: "b" }],
    });
  });
});
