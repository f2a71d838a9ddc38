// `siskin approve` sends through the release API as the personal token's user (finding 2).
import { describe, expect, it } from "vitest";
import { buildApp } from "../../release-trigger/http.js";
import { createService } from "../../release-trigger/service.js";
import { fakePublisher, fakeRollouts } from "../../release-trigger/fakes.test-util.js";
import { tokenDigest } from "../../release-trigger/people.js";
import { apiControlSender } from "./api-control.js";

function api() {
  const publisher = fakePublisher();
  const service = createService({ rollouts: fakeRollouts([]), publisher, newId: () => "n1" });
  const app = buildApp({ service, githubSecret: "webhook-secret", apiToken: "shared-token-0123456789", people: { [tokenDigest("bob-token-0123456789")]: { user: "U0BOB" } } });
  // fetch over inject(): no socket.
  const viaInject = (async (url: URL, init: RequestInit) => {
    const res = await app.inject({ method: "POST", url: url.pathname, headers: init.headers as Record<string, string>, payload: init.body as string });
    return new Response(res.body, { status: res.statusCode, headers: { "content-type": "application/json" } });
  }) as unknown as typeof fetch;
  return { publisher, viaInject };
}

describe("apiControlSender", () => {
  it("approves as the token's user on cmd.orchestrator.decide, whatever SISKIN_ACTOR says", async () => {
    const { publisher, viaInject } = api();
    const sent = await apiControlSender({ fetch: viaInject, api: "http://rt", token: "bob-token-0123456789" }).send("shop/ratings/v2", { action: "approve", actor: { kind: "cli", id: "the-cto" }, reason: "ok" });
    expect(sent).toEqual({ id: "control:shop/ratings/v2:approve:n1", duplicate: false });
    expect(publisher.sent).toMatchObject([{ subject: "cmd.orchestrator.decide", msg: { data: { action: "approve", actor: { kind: "api", id: "U0BOB" } } } }]);
  });

  it("the shared token is refused with the API's reason; no token at all is a usage error", async () => {
    const { publisher, viaInject } = api();
    const shared = apiControlSender({ fetch: viaInject, api: "http://rt", token: "shared-token-0123456789" });
    await expect(shared.send("shop/ratings/v2", { action: "promote", actor: { kind: "cli", id: "x" } })).rejects.toThrow(/refused the promote \(403\): promote needs a per-person token/);
    await expect(apiControlSender({ fetch: viaInject, api: "http://rt", token: undefined }).send("shop/ratings/v2", { action: "approve", actor: { kind: "cli", id: "x" } })).rejects.toMatchObject({ exitCode: 2 });
    expect(publisher.sent).toEqual([]);
  });
});
