/** The metrics-analyzer's ports: what it needs from Prometheus, KV, NATS and the judge. */
import type { AnalysisCompleted, MetricSample, MetricVerdict } from "../../schemas/analysis.js";
import type { MetricSpec } from "../../schemas/rollout.js";
import type { Registration } from "./registration.js";

/** One series of an instant-vector result: its labels (without `__name__`) and its value (may be NaN). */
export interface Series {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A PromQL query failed (HTTP error, bad query, timeout, unexpected result type). */
export class QueryError extends Error {
  /** Prometheus' `errorType` (`bad_data`, `execution`, `timeout_error`, `network_error`, ...). */
  readonly errorType: string;
  /** HTTP status, when Prometheus answered. */
  readonly httpStatus?: number;
  constructor(message: string, opts: { errorType: string; httpStatus?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "QueryError";
    this.errorType = opts.errorType;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
  }
}

/** Prometheus, as the analyzer sees it. */
export interface Metrics {
  /** Evaluate `promql` as an instant query at `timeMs`; throws {@link QueryError}. */
  query(promql: string, timeMs: number): Promise<Series[]>;
}

/** A stored registration and its KV revision. */
export interface StoredRegistration {
  registration: Registration;
  revision: number;
}

/** The registry of active analyses (KV `Bucket.analyses`). */
export interface Registry {
  /** Every valid registration (invalid entries are reported through `onInvalid` by the adapter, not returned). */
  list(): Promise<StoredRegistration[]>;
  /** The registration of a release, or null. */
  get(releaseId: string): Promise<StoredRegistration | null>;
  /**
   * Write a registration: create when `revision` is undefined, else update at that revision.
   * Resolves false when the write lost a race (the key exists, changed or was removed).
   */
  save(registration: Registration, revision?: number): Promise<boolean>;
  /** Remove a release's registration (no-op when absent). */
  remove(releaseId: string): Promise<void>;
}

/** Publish `evt.analysis.completed` for a release; the id is the JetStream msgID (duplicates are dropped). */
export type PublishCompleted = (msg: {
  id: string;
  releaseId: string;
  causationId?: string;
  data: AnalysisCompleted;
}) => Promise<unknown>;

/** What the judge knows besides the two samples. */
export interface JudgeContext {
  /** Fewer canary requests than this make the metric inconclusive. */
  minRequests: number;
  /** Length of the interval judged, in seconds. */
  intervalSeconds: number;
}

/** The pure judge of one metric: samples in, verdict out (workflows/canary/judge.ts). */
export type Judge = (spec: MetricSpec, canary: MetricSample, stable: MetricSample, ctx: JudgeContext) => MetricVerdict;

/** Wall clock in ms (injected so tests drive time). */
export type Clock = () => number;

export type { Log } from "../runtime/ports.js";
