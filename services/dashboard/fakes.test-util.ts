// Test data for the dashboard (not a test file): stored releases in the orchestrator's KV shape, and
// in-memory ports.
import type { OrchestratorControl } from "../../schemas/control.js";
import { createHub } from "./hub.js";
import type { ControlSender, ReleaseEntries, Threads } from "./ports.js";
import { createService } from "./service.js";

export const T0 = Date.parse("2026-12-03T10:00:00Z");

/** A stored release (`{releaseId, snapshot: {value, context, status}, audit}`) of bookinfo/ratings. */
export function storedRelease(o: { version?: string; state?: unknown; weight?: number; step?: number; done?: boolean; approvers?: string[]; namespace?: string; requestedAt?: number } = {}) {
  const version = o.version ?? "v2.0.0";
  const ns = o.namespace ?? "bookinfo";
  return {
    machine: "canary",
    version: 1,
    releaseId: `${ns}/ratings/${version}`,
    snapshot: {
      value: o.state ?? { step: "awaitingApproval" },
      status: o.done === true ? "done" : "active",
      context: {
        releaseId: `${ns}/ratings/${version}`,
        rollout: { namespace: ns, name: "ratings" },
        version,
        stableVersion: "v1",
        requestedAt: o.requestedAt ?? T0,
        stepIndex: o.step ?? 2,
        canaryWeight: o.weight ?? 50,
        pendingApproval: o.done === true || o.state !== undefined ? null : "2-1",
        outcome: o.done === true ? "promoted" : null,
        completedAt: o.done === true ? T0 + 60_000 : null,
        lastReason: "waiting for approval",
        approvals: [{ step: 2, decision: null, actor: null, at: null, expiresAt: T0 + 600_000 }],
        lastVerdicts: [{ metric: "error-rate", verdict: "pass", reason: "0 % ≤ 1 %", canary: 0, stable: 0 }],
        spec: {
          service: "ratings",
          stableVersion: "v1",
          virtualService: { name: "ratings" },
          destinationRule: { name: "ratings" },
          vmTemplate: { metadata: { labels: { app: "ratings" } } },
          steps: [{ weight: 10 }, { weight: 50 }, { weight: 100, approval: { timeoutSeconds: 600 } }],
          approvers: { users: o.approvers ?? ["alice"] },
        },
      },
    },
    audit: [
      { seq: 0, event: "evt.release.requested", from: "new", to: "provisioning", reason: "provisioning", at: T0, actor: { kind: "github", id: "release-bot" } },
      { seq: 1, event: "tick", from: "step.analyzing", to: "step.awaitingApproval", reason: "waiting for approval", at: T0 + 30_000 },
    ],
  };
}

/** In-memory ports and the service over them. */
export function fakeDashboard(entries: Record<string, unknown>) {
  const sent: Array<{ releaseId: string; data: OrchestratorControl }> = [];
  const store: ReleaseEntries = {
    list: async () => Object.entries(entries).map(([releaseId, value]) => ({ releaseId, value })),
    get: async (id) => entries[id] ?? null,
  };
  const threads: Threads = { get: async () => ({ channel: "C0RELEASES", ts: "1700000000.000100" }) };
  const control: ControlSender = {
    async send(releaseId, data) {
      sent.push({ releaseId, data });
      return { id: `cmd-${sent.length}`, duplicate: false };
    },
  };
  const hub = createHub();
  const service = createService({ entries: store, threads, control, hub, clock: () => T0 + 120_000, operators: ["group:sre"] });
  return { service, hub, sent, entries };
}
