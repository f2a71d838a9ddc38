/** Subject → payload schema and version: the codec's one lookup table. */
import type { TSchema } from "typebox";
import { AlertEvent } from "./alert.js";
import { AnalysisCompleted, AnalysisStart, AnalysisStop } from "./analysis.js";
import { ApprovalCancel, ApprovalDecision, ApprovalExpired, ApprovalRequest, ApprovalRequested } from "./approval.js";
import { NotifySend, OrchestratorControl, OrchestratorDecide, RolloutDriftDetected, RolloutSpecChanged, StatusWrite } from "./control.js";
import { ReleaseCompleted, ReleaseProgressed, ReleaseRequest, ReleaseRequested, ReleaseSuperseded } from "./release.js";
import { Command, Event, type Subject } from "./subjects.js";
import { SetWeights, TrafficPrune, TrafficPruned, WeightsFailed, WeightsSet } from "./traffic.js";
import {
  VmCrashed,
  VmDeleted,
  VmMigration,
  VmPhaseChanged,
  VmProvision,
  VmProvisioned,
  VmProvisionFailed,
  VmReadyChanged,
  VmPrune,
  VmPruned,
  VmStop,
  VmStopped,
} from "./vm.js";

/** The payload schema of every subject at its current version. */
export const catalog = {
  [Event.releaseRequested]: { v: 1, schema: ReleaseRequested },
  [Event.releaseSuperseded]: { v: 1, schema: ReleaseSuperseded },
  [Event.releaseProgressed]: { v: 1, schema: ReleaseProgressed },
  [Event.releaseCompleted]: { v: 1, schema: ReleaseCompleted },
  [Event.vmProvisioned]: { v: 1, schema: VmProvisioned },
  [Event.vmProvisionFailed]: { v: 1, schema: VmProvisionFailed },
  [Event.vmStopped]: { v: 1, schema: VmStopped },
  [Event.vmPruned]: { v: 1, schema: VmPruned },
  [Event.vmPhaseChanged]: { v: 1, schema: VmPhaseChanged },
  [Event.vmReadyChanged]: { v: 1, schema: VmReadyChanged },
  [Event.vmMigrationStarted]: { v: 1, schema: VmMigration },
  [Event.vmMigrationCompleted]: { v: 1, schema: VmMigration },
  [Event.vmMigrationFailed]: { v: 1, schema: VmMigration },
  [Event.vmCrashed]: { v: 1, schema: VmCrashed },
  [Event.vmDeleted]: { v: 1, schema: VmDeleted },
  [Event.trafficWeightsSet]: { v: 1, schema: WeightsSet },
  [Event.trafficWeightsFailed]: { v: 1, schema: WeightsFailed },
  [Event.trafficPruned]: { v: 1, schema: TrafficPruned },
  [Event.analysisCompleted]: { v: 1, schema: AnalysisCompleted },
  [Event.alertFired]: { v: 1, schema: AlertEvent },
  [Event.alertResolved]: { v: 1, schema: AlertEvent },
  [Event.approvalRequested]: { v: 1, schema: ApprovalRequested },
  [Event.approvalGranted]: { v: 1, schema: ApprovalDecision },
  [Event.approvalDenied]: { v: 1, schema: ApprovalDecision },
  [Event.approvalExpired]: { v: 1, schema: ApprovalExpired },
  [Event.rolloutSpecChanged]: { v: 1, schema: RolloutSpecChanged },
  [Event.rolloutDriftDetected]: { v: 1, schema: RolloutDriftDetected },
  [Command.vmProvision]: { v: 1, schema: VmProvision },
  [Command.vmStop]: { v: 1, schema: VmStop },
  [Command.vmPrune]: { v: 1, schema: VmPrune },
  [Command.trafficSetWeights]: { v: 1, schema: SetWeights },
  [Command.trafficPrune]: { v: 1, schema: TrafficPrune },
  [Command.analysisStart]: { v: 1, schema: AnalysisStart },
  [Command.analysisStop]: { v: 1, schema: AnalysisStop },
  [Command.approvalRequest]: { v: 1, schema: ApprovalRequest },
  [Command.approvalCancel]: { v: 1, schema: ApprovalCancel },
  [Command.notifySend]: { v: 1, schema: NotifySend },
  [Command.orchestratorControl]: { v: 1, schema: OrchestratorControl },
  [Command.orchestratorDecide]: { v: 1, schema: OrchestratorDecide },
  [Command.orchestratorRelease]: { v: 1, schema: ReleaseRequest },
  [Command.statusWrite]: { v: 1, schema: StatusWrite },
} as const satisfies Record<Subject, { v: number; schema: TSchema }>;

export type Catalog = typeof catalog;
