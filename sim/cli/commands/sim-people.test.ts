import { createServer, type Server } from "node:http";
import { verify } from "@octokit/webhooks-methods";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { register, runPushTag } from "./sim-people.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

describe("siskin sim slack / sim git", () => {
  it("registers under the sim group", () => {
    const program = new Command("siskin");
    register(program);
    const sim = program.commands.find((c) => c.name() === "sim")!;
    expect(sim.commands.map((c) => c.name())).toEqual(["slack", "git"]);
    expect(sim.commands[1]!.commands.map((c) => c.name())).toEqual(["push-tag", "ping"]);
  });

  it("push-tag sends one signed delivery", async () => {
    const got: Array<{ sig: string; body: string }> = [];
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push({ sig: String(req.headers["x-hub-signature-256"]), body });
        res.writeHead(202).end("{}");
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/github`;
    const res = await runPushTag({ url, secret: "s3cret" }, { repository: "org/ratings", tag: "v2.3.0", sha: "9fceb02d0ae598e95dc970b74767f19372d61af8" });
    expect(res.status).toBe(202);
    expect(await verify("s3cret", got[0]!.body, got[0]!.sig)).toBe(true);
  });
});
