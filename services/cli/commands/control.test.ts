import { describe, expect, it } from "vitest";
import { checkPayload } from "../../../schemas/codec.js";
import { Command } from "../../../schemas/subjects.js";
import { buildProgram } from "../main.js";
import { cliActor } from "../lib/context.js";
import { ev, makeSpec, memoryStore, scriptRelease, toFirstStep, toPromoted, verdict } from "../lib/fixtures.test-util.js";
import type { ControlSender } from "../lib/ports.js";
import { actionProblem, runControl, type ControlOptions } from "./control.js";
import { releaseViewOf, type ReleaseView } from "../../runtime/release-view.js";

function sender(): ControlSender & { sent: Array<{ releaseId: string; data: unknown }> } {
  const sent: Array<{ releaseId: string; data: unknown }> = [];
  return {
    sent,
    async send(releaseId, data) {
      const problems = checkPayload(Command.orchestratorControl, data);
      if (problems.length > 0) throw new Error(problems.join("; "));
      sent.push({ releaseId, data });
      return { id: `siskin-cli-${sent.length}`, seq: 40 + sent.length, duplicate: false };
    },
  };
}

const gated = makeSpec({ steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout: "reject" } }] });
const alice = { kind: "cli" as const, id: "alice" };
const base: Omit<ControlOptions, "action"> = { releaseId: "shop/ratings/v1.1.0", force: false, json: false };

function awaitingApproval() {
  const r = scriptRelease({ spec: gated });
  r.send(ev.analysis(toFirstStep(r) + 60_000, [verdict.pass()]));
  return r;
}

describe("runControl", () => {
  it("approve: checks the release, publishes the control command with the actor and reason, says what was asked", async () => {
    const r = awaitingApproval();
    const s = sender();
    const out = await runControl({ ...base, action: "approve", reason: "dashboards look fine" }, { store: memoryStore([r]), sender: s, actor: alice });
    expect(s.sent).toEqual([{ releaseId: "shop/ratings/v1.1.0", data: { action: "approve", actor: alice, reason: "dashboards look fine" } }]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      'asked the orchestrator to approve shop/ratings/v1.1.0 (as cli:alice, reason "dashboards look fine"; it was step.awaitingApproval)\n' +
        "command siskin-cli-1 is #41 on the COMMANDS stream; follow it with: siskin watch shop/ratings/v1.1.0\n",
    );
  });

  it("--json prints the command as one JSON object", async () => {
    const r = scriptRelease();
    toFirstStep(r);
    const out = await runControl({ ...base, action: "pause", json: true }, { store: memoryStore([r]), sender: sender(), actor: alice });
    expect(JSON.parse(out.stdout)).toEqual({ releaseId: "shop/ratings/v1.1.0", action: "pause", actor: alice, commandId: "siskin-cli-1", seq: 41, duplicate: false });
  });

  it("an unknown release: names it and `siskin status`, sends nothing", async () => {
    const s = sender();
    await expect(runControl({ ...base, action: "abort", releaseId: "shop/ratings/v9.9.9" }, { store: memoryStore([scriptRelease()]), sender: s, actor: alice })).rejects.toMatchObject({
      exitCode: 1,
      message: "release shop/ratings/v9.9.9 not found in KV bucket siskin-releases; list the releases with: siskin status",
    });
    expect(s.sent).toEqual([]);
  });

  it("an action that does not apply is refused unless --force (then sent with a warning)", async () => {
    const r = scriptRelease();
    toFirstStep(r);
    const s = sender();
    const deps = { store: memoryStore([r]), sender: s, actor: alice };
    await expect(runControl({ ...base, action: "approve" }, deps)).rejects.toThrow(
      "release shop/ratings/v1.1.0 is in state step.analyzing: it is not waiting for an approval, so there is nothing to approve (add --force to send the approve anyway; see: siskin status shop/ratings/v1.1.0)",
    );
    expect(s.sent).toEqual([]);
    const forced = await runControl({ ...base, action: "approve", force: true }, deps);
    expect(forced.stderr).toBe("warning: release shop/ratings/v1.1.0 is in state step.analyzing: it is not waiting for an approval, so there is nothing to approve\n");
    expect(s.sent).toHaveLength(1);
  });

  it("a usage error (exit 2) for a malformed id or an over-long reason", async () => {
    const deps = { store: memoryStore({}), sender: sender(), actor: alice };
    await expect(runControl({ ...base, action: "pause", releaseId: "shop/ratings" }, deps)).rejects.toMatchObject({ exitCode: 2 });
    await expect(runControl({ ...base, action: "pause", reason: "x".repeat(2001) }, deps)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining("at most 2000") });
  });
});

describe("actionProblem", () => {
  const view = (r: ReturnType<typeof scriptRelease>) => releaseViewOf(r.releaseId, r.stored) as ReleaseView;
  it("follows the states the canary machine accepts each action in", () => {
    const provisioning = view(scriptRelease());
    const stepping = scriptRelease();
    toFirstStep(stepping);
    const gate = view(awaitingApproval());
    const done = scriptRelease();
    toPromoted(done, toFirstStep(done));
    const paused: ReleaseView = { ...view(stepping), state: "paused" };
    const table = (v: ReleaseView) => (["approve", "reject", "pause", "resume", "abort", "promote"] as const).map((a) => (actionProblem(a, v) === null ? a : "-")).join(" ");
    expect(table(provisioning)).toBe("- - - - abort -");
    expect(table(view(stepping))).toBe("- - pause - abort promote");
    expect(table(gate)).toBe("approve reject pause - abort promote");
    expect(table(paused)).toBe("- - - resume abort promote");
    expect(table(view(done))).toBe("- - - - - -");
    expect(actionProblem("abort", view(done))).toBe("release shop/ratings/v1.1.0 already finished (promoted); there is nothing to abort");
  });
});

describe("registration and actor", () => {
  it("adds the six actions with --reason and --force, and the global options", async () => {
    const program = await buildProgram();
    for (const name of ["approve", "reject", "pause", "resume", "abort", "promote"]) {
      const c = program.commands.find((x) => x.name() === name);
      const api = ["approve", "reject", "promote"].includes(name) ? ["--api"] : [];
      expect(c?.options.map((o) => o.long)).toEqual([...api, "--reason", "--force"]);
    }
    expect(program.options.map((o) => o.long)).toEqual(expect.arrayContaining(["--nats", "--json", "--no-color"]));
  });

  it("the actor is $SISKIN_ACTOR, else the OS user", () => {
    expect(cliActor({ SISKIN_ACTOR: "oncall-bob" }, () => "root")).toEqual({ kind: "cli", id: "oncall-bob" });
    expect(cliActor({}, () => "alice")).toEqual({ kind: "cli", id: "alice" });
    expect(cliActor({ USER: "carol" }, () => { throw new Error("no passwd entry"); })).toEqual({ kind: "cli", id: "carol" });
  });
});
