// `siskin release` against release-trigger's real fastify app (fakes behind it) listening on a free port.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../harness/index.js";
import { buildApp } from "../../services/release-trigger/http.js";
import { createService } from "../../services/release-trigger/service.js";
import { fakePublisher, fakeRollouts, ratingsSpec } from "../../services/release-trigger/fakes.test-util.js";
import { runCli } from "./cli.test-util.js";

const token = "release-api-token-0123456789";
const publisher = fakePublisher();
const app = buildApp({
  service: createService({ rollouts: fakeRollouts([{ namespace: "shop", name: "ratings", spec: ratingsSpec(), generation: 4 }]), publisher, newId: () => "id" }),
  githubSecret: "webhook-secret",
  apiToken: token,
});
let api = "";

beforeAll(async () => {
  api = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await app.close();
});

describe("siskin release", { timeout: 300_000 }, () => {
  it("prints the release id; the API asked the orchestrator (cmd.orchestrator.release) for the CLI user", async () => {
    const res = await runCli(["release", "shop/ratings", "v1.2.0", "--tag", "v1.2.0", "--commit", "9fceb02d0ae5", "--api", api], { env: { SISKIN_API_TOKEN: token, SISKIN_ACTOR: "alice" } });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("shop/ratings/v1.2.0\n");
    expect(res.stderr).toBe("release shop/ratings/v1.2.0 requested as cli:alice; follow it with: siskin watch shop/ratings/v1.2.0\n");
    expect(publisher.sent).toHaveLength(1);
    expect(publisher.sent[0]).toMatchObject({ subject: "cmd.orchestrator.release", msg: { releaseId: "shop/ratings/v1.2.0", data: { version: "v1.2.0", tag: "v1.2.0", commit: "9fceb02d0ae5", requestedBy: { kind: "api", id: "alice" } } } });
  });

  it("SISKIN_API_URL and --json", async () => {
    const res = await runCli(["release", "shop/ratings", "v1.3.0", "--json"], { env: { SISKIN_API_TOKEN: token, SISKIN_API_URL: api } });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ releaseId: "shop/ratings/v1.3.0", duplicate: false });
  });

  it("401 and 404 exit 1 with what to fix; no token is a usage error; no server names the URL", async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const withToken = { env: { SISKIN_API_TOKEN: token } };
    // Independent runs: start them together (each is a cold tsx start).
    const [wrong, missing, noToken, refused] = await Promise.all([
      runCli(["release", "shop/ratings", "v1.4.0", "--api", api], { env: { SISKIN_API_TOKEN: "not-the-token-at-all" } }),
      runCli(["release", "shop/nope", "v1.4.0", "--api", api], withToken),
      runCli(["release", "shop/ratings", "v1.4.0", "--api", api]),
      runCli(["release", "shop/ratings", "v1.4.0", "--api", down], withToken),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`siskin: the release API at ${api}/api/v1/releases refused the token (401): set SISKIN_API_TOKEN to the token release-trigger was started with\n`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("siskin: release of shop/nope v1.4.0 refused (404): VMRollout shop/nope not found; check the name with: kubectl get vmrollouts -n shop\n");
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("SISKIN_API_TOKEN is not set");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`siskin: cannot reach the release API at ${down}/api/v1/releases: ECONNREFUSED; is release-trigger running? pass --api or set SISKIN_API_URL\n`);
    expect(publisher.sent).toHaveLength(2);
  });
});
