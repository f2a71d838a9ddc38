/**
 * The dashboard's handlers: an in-memory picture of every release (KV entries, refreshed when the
 * event stream says one moved), their chart histories, the pages' models, and operator actions
 * authorized like Slack's and published like the CLI's. No I/O of its own: everything goes through ports.
 */
import type { MessageOf } from "../../schemas/codec.js";
import type { ControlAction, OrchestratorControl } from "../../schemas/control.js";
import type { Subject } from "../../schemas/subjects.js";
import { actionProblem } from "../runtime/release-actions.js";
import { releaseViewOf, sortReleases, type ReleaseView } from "../runtime/release-view.js";
import { authorize, type User } from "./auth.js";
import { emptyHistory, foldEvent, type ReleaseHistory } from "./history.js";
import type { Hub } from "./hub.js";
import type { ControlSender, MetricsRange, ReleaseEntries, Threads, VmiRow, Vmis } from "./ports.js";
import { ChartMetric, chartQuery, chartRange } from "./promql.js";
import { detailOf, listRows, rowOf, slackLink, specFactsOf, type ReleaseDetail, type ReleaseRow, type SpecFacts } from "./views.js";

/** Dependencies of {@link createService}. */
export interface DashboardDeps {
  entries: ReleaseEntries;
  threads: Threads;
  control: ControlSender;
  hub: Hub;
  /** Absent: no metric charts. */
  metrics?: MetricsRange;
  /** Absent: no VMI table. */
  vmis?: Vmis;
  clock: () => number;
  slackWorkspaceUrl?: string;
  /** Who may pause, resume, abort and promote besides the approvers. */
  operators: readonly string[];
  onError?: (err: unknown, what: string) => void;
}

/** One chart's data: a series per version, and what the page marks on it. */
export interface ChartData {
  metric: ChartMetric;
  unit: string;
  canaryVersion: string | null;
  stableVersion: string | null;
  /** Epoch seconds. */
  times: number[];
  canary: Array<number | null>;
  stable: Array<number | null>;
}

/** The answer to an action. */
export type ActResult = { status: 202; body: { commandId: string; duplicate: boolean; action: ControlAction; releaseId: string } } | { status: 403 | 404 | 409; body: { error: string } };

interface Known {
  view: ReleaseView;
  facts: SpecFacts;
  row: ReleaseRow;
}

/** Build the handlers. */
export function createService(deps: DashboardDeps) {
  const known = new Map<string, Known>();
  const histories = new Map<string, ReleaseHistory>();
  let sorted: ReleaseRow[] | null = null;
  const dirty = new Set<string>();
  let flushing: Promise<void> | null = null;
  const report = deps.onError ?? (() => undefined);

  function apply(releaseId: string, value: unknown): Known | null {
    const view = value === null || value === undefined ? null : releaseViewOf(releaseId, value);
    if (view === null) {
      known.delete(releaseId);
      sorted = null;
      return null;
    }
    const facts = specFactsOf(value);
    const k = { view, facts, row: rowOf(view, facts) };
    known.set(view.releaseId, k);
    sorted = null;
    return k;
  }

  function rows(): ReleaseRow[] {
    sorted ??= sortReleases([...known.values()].map((k) => k.view)).map((v) => (known.get(v.releaseId) as Known).row);
    return sorted;
  }

  async function flush(): Promise<void> {
    while (dirty.size > 0) {
      const ids = [...dirty];
      dirty.clear();
      await Promise.all(
        ids.map(async (id) => {
          try {
            const k = apply(id, await deps.entries.get(id));
            deps.hub.broadcast("release", k === null ? { releaseId: id, removed: true } : k.row);
          } catch (err) {
            report(err, `reading release ${id}`);
          }
        }),
      );
    }
  }

  /** Read a release again soon (coalesced: many events of one release cost one read). */
  function refresh(releaseId: string): Promise<void> {
    dirty.add(releaseId);
    // Start on the next turn, so the events of one burst (one NATS batch) share one read.
    flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush).finally(() => {
      flushing = null;
    });
    return flushing;
  }

  return {
    /** Load every stored release. */
    async init(): Promise<void> {
      for (const e of await deps.entries.list()) apply(e.releaseId, e.value);
    },

    /** One event of the stream: fold it into the release's history, and re-read the release when it moved. */
    ingest(msg: MessageOf<Subject>): Promise<void> | undefined {
      const id = msg.releaseId;
      if (id === undefined) return undefined;
      let h = histories.get(id);
      if (h === undefined) histories.set(id, (h = emptyHistory()));
      if (foldEvent(h, msg)) deps.hub.broadcast("history", { releaseId: id });
      return msg.type.startsWith("evt.release.") ? refresh(id) : undefined;
    },

    /** The releases list. */
    list(opts: { q?: string; all?: boolean }): ReleaseRow[] {
      return listRows(rows(), opts);
    },

    /** Number of releases known, and live ones. */
    counts(): { releases: number; live: number } {
      const all = rows();
      return { releases: all.length, live: all.filter((r) => !r.done).length };
    },

    /** The detail model, or null for an unknown release. */
    async detail(releaseId: string): Promise<ReleaseDetail | null> {
      const k = known.get(releaseId) ?? apply(releaseId, await deps.entries.get(releaseId));
      if (k === null) return null;
      let link: string | null = null;
      try {
        const t = await deps.threads.get(releaseId);
        link = t === null ? null : slackLink(t, deps.slackWorkspaceUrl);
      } catch (err) {
        report(err, `reading the Slack thread of ${releaseId}`);
      }
      return detailOf(k.view, k.facts, histories.get(releaseId) ?? emptyHistory(), link);
    },

    /** The detail page's charts from Prometheus (`query_range`), or null for an unknown release. */
    async charts(releaseId: string): Promise<ChartData[] | null> {
      const k = known.get(releaseId);
      if (k === null || k === undefined) return null;
      if (deps.metrics === undefined) return [];
      const { view, facts } = k;
      const versions = [view.stableVersion, view.version].filter((v): v is string => v !== null);
      const from = view.requestedAt ?? deps.clock() - 600_000;
      const r = chartRange(from, view.completedAt ?? deps.clock());
      const target = { namespace: view.rollout.split("/")[0] ?? "", service: facts.service, versions };
      const metrics = deps.metrics;
      return Promise.all(
        ChartMetric.map(async (metric) => {
          const series = await metrics.queryRange(chartQuery(metric, target, r.windowSeconds), r.start, r.end, r.step);
          const times: number[] = [];
          for (let t = r.start; t <= r.end; t += r.step) times.push(t);
          const column = (version: string | null) => {
            const s = series.find((x) => x.labels.destination_version === version);
            const byT = new Map((s?.values ?? []).map(([t, v]) => [Math.round(t), v]));
            return times.map((t) => byT.get(t) ?? null);
          };
          return { metric, unit: metric === "error-rate" ? "%" : "ms", canaryVersion: view.version, stableVersion: view.stableVersion, times, canary: column(view.version), stable: column(view.stableVersion) };
        }),
      );
    },

    /** The VMIs of the release's two versions, or null for an unknown release. */
    async vmis(releaseId: string): Promise<VmiRow[] | null> {
      const k = known.get(releaseId);
      if (k === undefined) return null;
      if (deps.vmis === undefined) return [];
      const versions = [k.view.stableVersion, k.view.version].filter((v): v is string => v !== null);
      return deps.vmis.list(k.view.rollout.split("/")[0] ?? "", k.facts.versionLabel, versions, k.facts.templateLabels);
    },

    /**
     * An operator action by an authenticated user: authorized against the rollout's approvers (as
     * stored with the release), checked against the release's state, then published as the CLI does.
     */
    async act(user: User, releaseId: string, action: ControlAction, reason: string | undefined): Promise<ActResult> {
      const value = await deps.entries.get(releaseId);
      const k = apply(releaseId, value);
      if (k === null) return { status: 404, body: { error: `release ${releaseId} not found` } };
      const auth = authorize(user, action, k.facts.approvers, deps.operators);
      if (!auth.allowed) return { status: 403, body: { error: auth.reason } };
      const problem = actionProblem(action, k.view);
      if (problem !== null) return { status: 409, body: { error: problem } };
      const data: OrchestratorControl = {
        action,
        actor: { kind: "dashboard", id: user.id, ...(user.name === undefined ? {} : { name: user.name }) },
        ...(reason === undefined || reason === "" ? {} : { reason }),
      };
      const sent = await deps.control.send(k.view.releaseId, data);
      return { status: 202, body: { commandId: sent.id, duplicate: sent.duplicate, action, releaseId: k.view.releaseId } };
    },
  };
}

/** The dashboard's handlers. */
export type DashboardService = ReturnType<typeof createService>;
