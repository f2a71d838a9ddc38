/**
 * Test harness: real nats-server, Prometheus and Alertmanager on 127.0.0.1 with free ports and temp dirs.
 * The servers live in sim/world (the demo starts the same ones); kubectl.ts runs the real kubectl.
 */
export { freePort } from "../../sim/world/ports.js";
export { waitFor, type WaitOptions } from "../../sim/world/wait.js";
export { startNats, natsServerBinary, type NatsOptions, type NatsServer } from "../../sim/world/nats-server.js";
export { startPrometheus, type PrometheusFiles, type PrometheusServer } from "../../sim/world/prometheus-server.js";
export { startAlertmanager, type AlertmanagerServer } from "../../sim/world/alertmanager-server.js";
export * from "./kubectl.js";
