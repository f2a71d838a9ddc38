/** Test harness: real nats-server, Prometheus and Alertmanager on 127.0.0.1 with free ports and temp dirs. */
export { freePort } from "./ports.js";
export { waitFor, type WaitOptions } from "./wait.js";
export { startNats, natsServerBinary, type NatsOptions, type NatsServer } from "./nats.js";
export { startPrometheus, type PrometheusFiles, type PrometheusServer } from "./prometheus.js";
export { startAlertmanager, type AlertmanagerServer } from "./alertmanager.js";
export * from "./kubectl.js";
