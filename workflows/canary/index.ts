/** The canary workflow: statechart, step plan, judge, and what hosts need to run them. */
export { canaryMachine, type CanaryMachine } from "./machine.js";
export {
  acceptedSubjects,
  type AcceptedSubject,
  type Actor,
  type ApprovalRecord,
  type CanaryContext,
  type CanaryInput,
  type MessageEvent,
  type RollbackInfo,
  type StartEvent,
  type SupersededEvent,
  type TickEvent,
  type WeightsRequest,
  type WorkflowEvent,
} from "./types.js";
export { commandsOf, commandActionNames, isCommandAction, type CommandActionName, type WorkflowCommand } from "./commands.js";
export { actorName, actorOf, initialContext, nowOf } from "./context.js";
export { statePath } from "./state-path.js";
export { bakeMs, isLast, nextStep, planSteps, stepAt, tryPlanSteps, validateSteps, type PlannedStep, type StepPlan } from "./steps.js";
export { judgeInterval, judgeMetric, summarize, type JudgeOptions, type MetricObservation } from "./judge.js";
export { decide, zeroCounters, type Counters, type DecideInput, type Decision, type DecisionAction, type Limits } from "./decide.js";
export { fisherGreater, mannWhitneyGreater, normalCdf, twoProportionTest, type TestResult } from "./stats.js";
export { describeState, statusWriteOf } from "./status.js";
export { fmt, withUnit } from "./format.js";
export { MACHINE_ID, MACHINE_VERSION, migrateSnapshot, snapshotMigrations, type SnapshotMigration, type StoredSnapshot } from "./versions.js";
