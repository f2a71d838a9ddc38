/** Adapter: the {@link Metrics} port over prometheus-query's PrometheusDriver. */
import { PrometheusDriver } from "prometheus-query";
import { QueryError, type Metrics, type Series } from "./ports.js";

/** Options of {@link createPrometheusMetrics}. */
export interface PrometheusOptions {
  /** Prometheus base URL, e.g. `http://prometheus:9090`. */
  url: string;
  /** Per-query timeout (ms). */
  timeoutMs: number;
  /** Extra headers (e.g. `Authorization`). */
  headers?: Record<string, string>;
}

/** The shape prometheus-query throws: a plain object, not an Error. */
interface DriverFailure {
  errorType?: string;
  error?: string;
  httpStatus?: number;
  /** Prometheus' own error body, on HTTP errors. */
  prometheus?: { errorType?: string; error?: string };
}

function toQueryError(err: unknown, promql: string): QueryError {
  if (err instanceof QueryError) return err;
  const f = (typeof err === "object" && err !== null ? err : {}) as DriverFailure;
  const text = f.error ?? (err instanceof Error ? err.message : String(err));
  const status = f.httpStatus === undefined ? "" : ` (HTTP ${f.httpStatus})`;
  // Prometheus' classification (bad_data, execution, timeout...) says more than the driver's http_error.
  const errorType = f.prometheus?.errorType ?? f.errorType ?? "error";
  return new QueryError(`prometheus query failed${status}: ${errorType}: ${text}; query: ${promql.slice(0, 300)}`, {
    errorType,
    ...(f.httpStatus === undefined ? {} : { httpStatus: f.httpStatus }),
    cause: err,
  });
}

/** Convert a prometheus-query result to series; anything but a vector or scalar is an error. */
export function toSeries(resultType: string, result: unknown[], promql: string): Series[] {
  if (resultType === "vector") {
    return result.map((r) => {
      const s = r as { metric?: { labels?: Record<string, string> } | null; value: { value: number } };
      return { labels: { ...(s.metric?.labels ?? {}) }, value: s.value.value };
    });
  }
  if (resultType === "scalar") {
    return [{ labels: {}, value: parseFloat(String(result[1])) }];
  }
  throw new QueryError(`prometheus returned a ${resultType} for an instant query; the query must yield a vector: ${promql.slice(0, 300)}`, {
    errorType: "bad_result",
  });
}

/** Create the Metrics port. Queries are POSTed: 200 releases make long label regexes. */
export function createPrometheusMetrics(opts: PrometheusOptions): Metrics {
  const driver = new PrometheusDriver({
    endpoint: opts.url,
    baseURL: "/api/v1",
    timeout: opts.timeoutMs,
    preferPost: true,
    ...(opts.headers === undefined ? {} : { headers: opts.headers }),
  });
  return {
    async query(promql, timeMs) {
      let res;
      try {
        res = await driver.instantQuery(promql, new Date(timeMs));
      } catch (err) {
        throw toQueryError(err, promql);
      }
      return toSeries(String(res.resultType), res.result, promql);
    },
  };
}
