import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { verify } from "@octokit/webhooks-methods";
import { afterEach, describe, expect, it } from "vitest";
import { buildPushPayload } from "./payload.js";
import { createSimGit } from "./sim.js";

interface Got {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

async function receiver(): Promise<{ url: string; got: Got[] }> {
  const got: Got[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ n: got.length }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/github`, got };
}

const SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
const fixture = JSON.parse(readFileSync(new URL("../../test/fixtures/upstream/github/push-tag-created-simple-tag.octokit-ghes-34.json", import.meta.url), "utf8")) as Record<string, unknown>;

describe("payloads", () => {
  it("has the fields of GitHub's tag push (the octokit fixture's top-level keys)", () => {
    const p = buildPushPayload({ repository: "org/ratings", ref: "refs/tags/v2.3.0", sha: SHA, created: true, deleted: false, pusher: { login: "octocat" }, at: "2024-05-01T10:00:00Z" });
    const expected = Object.keys(fixture).filter((k) => !["enterprise", "installation"].includes(k));
    for (const k of expected) expect(p).toHaveProperty(k);
    expect(p).toMatchObject({
      ref: "refs/tags/v2.3.0",
      before: "0".repeat(40),
      after: SHA,
      created: true,
      deleted: false,
      base_ref: "refs/heads/main",
      commits: [],
      head_commit: { id: SHA, timestamp: "2024-05-01T10:00:00Z" },
      repository: { full_name: "org/ratings", name: "ratings", owner: { login: "org" } },
      pusher: { name: "octocat" },
      sender: { login: "octocat", type: "User" },
    });
    const del = buildPushPayload({ repository: "org/ratings", ref: "refs/tags/v2.3.0", sha: SHA, created: false, deleted: true, pusher: { login: "octocat" }, at: "2024-05-01T10:00:00Z" });
    expect(del).toMatchObject({ after: "0".repeat(40), before: SHA, head_commit: null });
  });
});

describe("deliveries", () => {
  it("signs with X-Hub-Signature-256 and sends GitHub's headers", async () => {
    const r = await receiver();
    const git = createSimGit({ url: r.url, secret: "s3cret", clock: () => Date.parse("2024-05-01T10:00:00Z"), newId: () => "d-1" });
    const res = await git.pushTag({ repository: "org/ratings", tag: "v2.3.0", sha: SHA, pusher: "alice" });
    expect(res).toEqual({ deliveryId: "d-1", status: 202, body: { n: 1 } });
    const { headers, body } = r.got[0]!;
    expect(headers).toMatchObject({
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": "d-1",
      "x-github-hook-installation-target-type": "repository",
    });
    expect(String(headers["user-agent"])).toMatch(/^GitHub-Hookshot\//);
    expect(String(headers["x-hub-signature"])).toMatch(/^sha1=[0-9a-f]{40}$/);
    expect(await verify("s3cret", body, String(headers["x-hub-signature-256"]))).toBe(true);
    expect(JSON.parse(body)).toMatchObject({ ref: "refs/tags/v2.3.0", sender: { login: "alice" }, head_commit: { timestamp: "2024-05-01T10:00:00Z" } });
  });

  it("redelivers the same GUID, body and signature; pings; sends form bodies; can send unsigned", async () => {
    const r = await receiver();
    let n = 0;
    const git = createSimGit({ url: r.url, secret: "s3cret", contentType: "form", newId: () => `d-${++n}` });
    const first = await git.pushTag({ repository: "org/ratings", tag: "v1", sha: SHA });
    await git.redeliver(first.deliveryId);
    expect(r.got[1]).toEqual(r.got[0]);
    expect(r.got[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(JSON.parse(new URLSearchParams(r.got[0]!.body).get("payload")!)).toMatchObject({ ref: "refs/tags/v1" });
    expect(await verify("s3cret", r.got[0]!.body, String(r.got[0]!.headers["x-hub-signature-256"]))).toBe(true);
    await git.ping("org/ratings");
    expect(r.got[2]!.headers["x-github-event"]).toBe("ping");
    expect(JSON.parse(new URLSearchParams(r.got[2]!.body).get("payload")!)).toMatchObject({ zen: expect.any(String), hook: { config: { content_type: "form" } } });
    expect(() => git.redeliver("nope")).toThrow(/no delivery nope/);
    const unsigned = createSimGit({ url: r.url, secret: "" });
    await unsigned.deleteTag({ repository: "org/ratings", tag: "v1", sha: SHA });
    expect(r.got[3]!.headers["x-hub-signature-256"]).toBeUndefined();
    expect(git.deliveries().map((d) => d.event)).toEqual(["push", "ping"]);
  });
});
