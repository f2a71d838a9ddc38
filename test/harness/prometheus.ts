/** A real Prometheus on 127.0.0.1 with a temp TSDB and config dir (services/sim-world/prometheus-server.ts), for tests. */
export { startPrometheus, type PrometheusFiles, type PrometheusServer } from "../../services/sim-world/prometheus-server.js";
