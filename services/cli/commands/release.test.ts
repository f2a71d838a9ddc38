import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../release-trigger/http.js";
import { createService } from "../../release-trigger/service.js";
import { fakePublisher, fakeRollouts, ratingsSpec } from "../../release-trigger/fakes.test-util.js";
import { runRelease, type ReleaseOptions } from "./release.js";

const token = "release-api-token-0123456789";
const alice = { kind: "cli" as const, id: "alice" };
let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** release-trigger's real fastify app with fakes, reached through `inject` as if over HTTP. */
function api() {
  const publisher = fakePublisher();
  const service = createService({ rollouts: fakeRollouts([{ namespace: "shop", name: "ratings", spec: ratingsSpec(), generation: 2 }]), publisher, newId: () => "id" });
  app = buildApp({ service, githubSecret: "webhook-secret", apiToken: token });
  const a = app;
  const calls: Array<{ url: string; auth: string | undefined }> = [];
  const fetchFn = (async (input: URL | string, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    calls.push({ url: url.href, auth: headers.authorization });
    const res = await a.inject({ method: "POST", url: url.pathname, headers, payload: String(init?.body ?? "") });
    return new Response(res.body, { status: res.statusCode, headers: { "content-type": String(res.headers["content-type"] ?? "text/plain") } });
  }) as typeof fetch;
  return { publisher, fetch: fetchFn, calls };
}

const opts: ReleaseOptions = { rollout: "shop/ratings", version: "v1.2.0", api: "http://127.0.0.1:8082", token, json: false };

describe("runRelease against release-trigger's app", () => {
  it("posts the release with the bearer token and prints the release id on stdout", async () => {
    const a = api();
    const out = await runRelease({ ...opts, tag: "v1.2.0", commit: "9fceb02d0ae598e95dc970b74767f19372d61af8" }, { fetch: a.fetch, actor: alice });
    expect(out).toEqual({ stdout: "shop/ratings/v1.2.0\n", stderr: "release shop/ratings/v1.2.0 requested as cli:alice; follow it with: siskin watch shop/ratings/v1.2.0\n", code: 0 });
    expect(a.calls).toEqual([{ url: "http://127.0.0.1:8082/api/v1/releases", auth: `Bearer ${token}` }]);
    expect(a.publisher.sent[0]?.msg.data).toMatchObject({ version: "v1.2.0", tag: "v1.2.0", commit: "9fceb02d0ae598e95dc970b74767f19372d61af8", requestedBy: { kind: "api", id: "alice" } });
  });

  it("a repeated request is reported as already requested; --json prints the API's answer", async () => {
    const a = api();
    await runRelease(opts, { fetch: a.fetch, actor: alice });
    const again = await runRelease({ ...opts, json: true }, { fetch: a.fetch, actor: alice });
    expect(JSON.parse(again.stdout)).toEqual({ releaseId: "shop/ratings/v1.2.0", duplicate: true });
    const text = await runRelease(opts, { fetch: a.fetch, actor: alice });
    expect(text.stderr).toContain("was already requested");
  });

  it("401: says to set SISKIN_API_TOKEN", async () => {
    const a = api();
    await expect(runRelease({ ...opts, token: "wrong-token-wrong-token" }, { fetch: a.fetch, actor: alice })).rejects.toMatchObject({
      exitCode: 1,
      message: "the release API at http://127.0.0.1:8082/api/v1/releases refused the token (401): set SISKIN_API_TOKEN to the token release-trigger was started with",
    });
  });

  it("404: names the rollout and how to check it", async () => {
    const a = api();
    await expect(runRelease({ ...opts, rollout: "shop/nope" }, { fetch: a.fetch, actor: alice })).rejects.toMatchObject({
      exitCode: 1,
      message: "release of shop/nope v1.2.0 refused (404): VMRollout shop/nope not found; check the name with: kubectl get vmrollouts -n shop",
    });
  });

  it("an unreachable API names the URL and the flag", async () => {
    const refused = (async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    }) as unknown as typeof fetch;
    await expect(runRelease(opts, { fetch: refused, actor: alice })).rejects.toThrow(
      "cannot reach the release API at http://127.0.0.1:8082/api/v1/releases: ECONNREFUSED; is release-trigger running? pass --api or set SISKIN_API_URL",
    );
  });

  it.each([
    [{ token: undefined }, "SISKIN_API_TOKEN is not set"],
    [{ rollout: "ratings" }, 'rollout "ratings" must be <namespace>/<name>'],
    [{ version: "v1 2" }, 'version "v1 2" must be a Kubernetes label value'],
    [{ commit: "XYZ" }, '--commit "XYZ" must be a lowercase hex SHA'],
    [{ api: "ftp://x" }, '--api "ftp://x" is not an http(s) URL'],
  ] as Array<[Partial<ReleaseOptions>, string]>)("usage error (exit 2): %j", async (o, message) => {
    const a = api();
    await expect(runRelease({ ...opts, ...o }, { fetch: a.fetch, actor: alice })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(message) });
    expect(a.calls).toEqual([]);
  });
});
