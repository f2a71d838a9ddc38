/**
 * Plays one story: scripts the release's faults (play-fault.ts), pushes its tag through sim-git,
 * follows `evt.release.*` and friends (play-observe.ts), answers Slack approvals as the simulated
 * on-call (play-slack.ts), and waits (bounded) for `evt.release.completed`. Everything goes through
 * {@link DemoPorts}.
 */
import { vmNameFor } from "../../../schemas/rollout-defaults.js";
import { waitFor } from "../../world/wait.js";
import { injectFault } from "./play-fault.js";
import { newObservation, observeMessage, wasHeld, type Observation } from "./play-observe.js";
import { answerSlack } from "./play-slack.js";
import type { DemoPorts } from "./ports.js";
import { judgeStory } from "./stories.js";
import type { ProgressRecord, StoryResult, StoryScript } from "./types.js";

export { APPROVE_ACTION } from "./play-slack.js";

/** What the player needs besides the ports. */
export interface PlayContext {
  ports: DemoPorts;
  rollout: { namespace: string; name: string; service: string; repository: string };
  /** Who clicks Approve. */
  onCall: { id: string; name: string };
  /** Bound on one release, push to completion. */
  timeoutMs: number;
  /** Receives every record as it happens (the terminal). */
  onRecord?: (tag: string, r: ProgressRecord) => void;
  /** Slack messages already seen (shared across stories, so each is printed once). */
  slackSeen: Map<string, number>;
}

/** Play one story; never throws for a release that goes wrong (that is a result), only for a broken world. */
export async function playStory(script: StoryScript, ctx: PlayContext): Promise<StoryResult> {
  const { ports, rollout } = ctx;
  const version = script.tag;
  const releaseId = `${rollout.namespace}/${rollout.name}/${version}`;
  const info = await ports.kube.rollout(rollout.namespace, rollout.name);
  const stableBefore = info.stableVersion;
  const startedAt = ports.clock();
  const progress: ProgressRecord[] = [];
  const problems: string[] = [];
  const obs = newObservation();
  let faultAt: number | null = null;

  const record = (r: Omit<ProgressRecord, "atMs">): void => {
    const rec = { atMs: ports.clock() - startedAt, ...r };
    progress.push(rec);
    ctx.onRecord?.(script.tag, rec);
  };
  const startFault = () =>
    void injectFault(script.fault, { ports, rollout, version, stableBefore, record }).then(
      (at) => (faultAt = at),
      (err: unknown) => problems.push(`could not inject the fault: ${(err as Error).message}`),
    );
  const slack = { ports, version, onCall: ctx.onCall, seen: ctx.slackSeen, clicked: new Set<string>(), record };
  const env = { releaseId, version, rollout, steps: info.steps, fault: script.fault, clock: ports.clock, record, injectFault: startFault };

  const unsubscribe = ports.feed.subscribe((msg) => observeMessage(obs, msg, env));
  let stepsBefore: { steps: unknown[] | undefined } | null = null;
  try {
    if (script.steps !== undefined) {
      stepsBefore = { steps: await ports.kube.replaceSteps(rollout.namespace, rollout.name, script.steps) };
      record({ kind: "note", text: `VMRollout steps for this release: ${script.steps.map((s) => (s.mirror !== undefined ? `mirror ${s.mirror.percentage} %` : s.match !== undefined ? "match" : `${s.weight ?? "?"} %`)).join(" → ")}` });
    }
    if (script.templateAnnotations !== undefined) {
      await ports.kube.patchTemplateAnnotations(rollout.namespace, rollout.name, script.templateAnnotations);
      record({ kind: "fault", text: `VMRollout template for this release: ${Object.entries(script.templateAnnotations).map(([k, v]) => `${k}=${v}`).join(", ")}` });
    }
    const pushed = await ports.git.pushTag(rollout.repository, script.tag);
    record({ kind: "note", text: `tag ${script.tag} pushed to ${rollout.repository} (GitHub delivery → release-trigger: HTTP ${pushed.status})` });
    if (pushed.status !== 202 || !JSON.stringify(pushed.body).includes(releaseId)) {
      problems.push(`release-trigger did not accept the tag: HTTP ${pushed.status} ${JSON.stringify(pushed.body)}`);
    } else {
      await waitFor(
        async () => {
          await answerSlack(slack).catch((err: unknown) => record({ kind: "note", text: `sim-slack: ${(err as Error).message}` }));
          return obs.outcome !== null;
        },
        { timeoutMs: ctx.timeoutMs, intervalMs: 250, what: `${releaseId} to complete` },
      ).catch(() => undefined);
      if (obs.outcome === "promoted" && script.expectStableStopped === true) {
        const vm = vmNameFor(rollout.service, stableBefore);
        await waitFor(() => ports.kube.vmStopped(rollout.namespace, vm), { timeoutMs: 30_000, intervalMs: 250, what: `VM ${vm} to stop` }).catch(() => undefined);
      }
      await answerSlack(slack).catch(() => undefined);
    }
  } finally {
    unsubscribe();
    if (stepsBefore !== null) {
      await ports.kube.replaceSteps(rollout.namespace, rollout.name, stepsBefore.steps).catch((err: unknown) => problems.push((err as Error).message));
    }
    if (script.templateAnnotations !== undefined) {
      const undo = Object.fromEntries(Object.keys(script.templateAnnotations).map((k) => [k, null]));
      await ports.kube.patchTemplateAnnotations(rollout.namespace, rollout.name, undo).catch((err: unknown) => problems.push((err as Error).message));
    }
  }

  let stableStopped: boolean | undefined;
  if (script.expectStableStopped === true) {
    stableStopped = await ports.kube.vmStopped(rollout.namespace, vmNameFor(rollout.service, stableBefore)).catch(() => false);
    if (stableStopped) record({ kind: "vm", text: `VM ${vmNameFor(rollout.service, stableBefore)} (${stableBefore}) is stopped` });
  }
  return storyResult(script, obs, { releaseId, stableBefore, startedAt, faultAt, stableStopped, progress, problems });
}

/** The story's result from what it observed, judged against its script. */
function storyResult(
  script: StoryScript,
  obs: Observation,
  run: { releaseId: string; stableBefore: string; startedAt: number; faultAt: number | null; stableStopped: boolean | undefined; progress: ProgressRecord[]; problems: string[] },
): StoryResult {
  const { startedAt, stableStopped, progress } = run;
  const reactionMs = obs.rollbackAt !== null && run.faultAt !== null ? Math.max(0, obs.rollbackAt - run.faultAt) : null;
  const observed = { outcome: obs.outcome, reason: obs.reason || (progress.at(-1)?.text ?? ""), approvedBy: [...obs.approvedBy], held: wasHeld(obs), stableStopped, reactionMs, weights: obs.weights };
  const all = [...run.problems, ...judgeStory(script, observed)];
  return {
    tag: script.tag,
    version: script.tag,
    releaseId: run.releaseId,
    title: script.title,
    expected: script.expect,
    outcome: obs.outcome,
    reason: observed.reason,
    approvedBy: observed.approvedBy,
    held: observed.held,
    ...(stableStopped === undefined ? {} : { stableStopped }),
    stableBefore: run.stableBefore,
    startedAt,
    decidedAfterMs: obs.decidedAt === null ? null : obs.decidedAt - startedAt,
    reactionMs,
    durationMs: obs.completedAt === null ? null : obs.completedAt - startedAt,
    weights: obs.weights,
    progress,
    problems: all,
    ok: all.length === 0,
  };
}
