// `siskin approve|reject|pause|resume|abort|promote`: the real CLI checks the release in KV and puts
// cmd.orchestrator.control on the COMMANDS stream (read back here without consuming it).
import { userInfo } from "node:os";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode } from "../../schemas/codec.js";
import { Command, Stream } from "../../schemas/subjects.js";
import { ev, makeSpec, scriptRelease, toFirstStep, verdict } from "../../services/cli/lib/fixtures.test-util.js";
import { cliWorld, runCli, type CliWorld } from "./cli.test-util.js";

let world: CliWorld;
const now = Date.now();
const gated = makeSpec({ steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout: "reject" } }, { weight: 100 }] });

beforeAll(async () => {
  world = await cliWorld();
  const r = scriptRelease({ spec: gated, now });
  r.send(ev.analysis(toFirstStep(r, now) + 60_000, [verdict.pass()]));
  await world.save(r);
});
afterAll(async () => {
  await world?.stop();
});

async function controlMessages() {
  const jsm = await jetstreamManager(world.nc);
  const info = await jsm.streams.info(Stream.commands.name);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(Stream.commands.name, { seq }).catch(() => null);
    if (m !== null && m.subject === Command.orchestratorControl) out.push({ seq, msg: decode(Command.orchestratorControl, m.data) });
  }
  return out;
}

describe("siskin control commands", { timeout: 300_000 }, () => {
  it("approve never goes out as the shared cli NATS user: without a personal API token it is refused, nothing published", async () => {
    const res = await runCli(["approve", "shop/ratings/v1.1.0", "--reason", "dashboards look fine", "--nats", world.srv.url], { env: { SISKIN_ACTOR: "oncall-bob", SISKIN_API_TOKEN: "" } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("approve needs your personal release API token in SISKIN_API_TOKEN");
    expect(await controlMessages()).toEqual([]);
  });

  it("--json, and the OS user as actor when SISKIN_ACTOR is unset", async () => {
    const res = await runCli(["pause", "shop/ratings/v1.1.0", "--json", "--nats", world.srv.url]);
    expect(res.code).toBe(0);
    const body = JSON.parse(res.stdout) as { commandId: string; seq: number };
    expect(body).toMatchObject({ releaseId: "shop/ratings/v1.1.0", action: "pause", actor: { kind: "cli", id: userInfo().username }, duplicate: false });
    const msgs = await controlMessages();
    expect(msgs.find((m) => m.seq === body.seq)?.msg).toMatchObject({ id: body.commandId, data: { action: "pause" } });
  });

  it("an unknown release: exit 1 naming it and `siskin status`, nothing published", async () => {
    const before = (await controlMessages()).length;
    const [res, refused] = await Promise.all([runCli(["abort", "shop/ratings/v9.9.9", "--nats", world.srv.url]), runCli(["resume", "shop/ratings/v1.1.0", "--nats", world.srv.url])]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("siskin: release shop/ratings/v9.9.9 not found in KV bucket siskin-releases; list the releases with: siskin status\n");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("only a paused release can be resumed (add --force");
    expect(await controlMessages()).toHaveLength(before);
  });
});
