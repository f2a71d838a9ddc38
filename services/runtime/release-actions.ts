/**
 * Which operator actions apply to a release in its stored state, and what each does: shared by the
 * CLI's control commands and the dashboard's buttons (the orchestrator has the last word).
 */
import type { ControlAction } from "../../schemas/control.js";
import type { ReleaseView } from "./release-view.js";

/** What each action does, for help texts. */
export const actionHelp: Record<ControlAction, string> = {
  approve: "approve the step waiting for an approval",
  reject: "reject the step waiting for an approval (the release rolls back)",
  pause: "hold the release at its current step (weights stay)",
  resume: "continue a paused release",
  abort: "roll the release back now and end it as aborted",
  promote: "skip the remaining steps: shift all traffic to the canary and make it stable",
};

/** Why `action` does not apply to the release as stored, or null when it does (the orchestrator has the last word). */
export function actionProblem(action: ControlAction, v: ReleaseView): string | null {
  if (v.done) return `release ${v.releaseId} already finished (${v.outcome ?? v.state}); there is nothing to ${action}`;
  const inStep = v.state.startsWith("step.");
  const where = `release ${v.releaseId} is in state ${v.state}`;
  switch (action) {
    case "approve":
    case "reject":
      return v.awaitingApproval ? null : `${where}: it is not waiting for an approval, so there is nothing to ${action}`;
    case "resume":
      return v.state === "paused" ? null : `${where}: only a paused release can be resumed`;
    case "pause":
      return inStep ? null : `${where}: a release can be paused only during a step (shifting, analyzing, awaiting approval)`;
    case "promote":
      return inStep || v.state === "paused" ? null : `${where}: a release can be promoted only during a step or while paused`;
    case "abort":
      return null;
    default: {
      const never: never = action;
      return `unknown action ${String(never)}`;
    }
  }
}
