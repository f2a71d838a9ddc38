import { afterEach, describe, expect, it } from "vitest";
import { load, toOptions } from "./config.js";
import { main } from "./main.js";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe("sim-slack configuration", () => {
  it("reads users, user groups and channels from the environment", () => {
    const c = load({ SISKIN_SIM_SLACK_USERS: "U1:alice,U2:bob smith", SISKIN_SIM_SLACK_USERGROUPS: "S1=U1+U2,S2=", SISKIN_SIM_SLACK_CHANNELS: "C1" });
    expect(toOptions(c.simSlack)).toMatchObject({
      port: 18090,
      users: [
        { id: "U1", name: "alice" },
        { id: "U2", name: "bob smith" },
      ],
      usergroups: { S1: ["U1", "U2"], S2: [] },
      channels: ["C1"],
    });
    expect(() => load({ SISKIN_SIM_SLACK_USERS: "alice" })).toThrow(/SISKIN_SIM_SLACK_USERS/);
  });

  it("serves the Web API from main()", async () => {
    const running = await main({ SISKIN_SIM_SLACK_PORT: "0", SISKIN_SIM_SLACK_BOT_TOKEN: "xoxb-t" });
    stop = running.stop;
    const res = await fetch(`${running.url}/api/auth.test`, { method: "POST", headers: { authorization: "Bearer xoxb-t" } });
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
