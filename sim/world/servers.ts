/**
 * The real servers of the simulated world, spawned as child processes on 127.0.0.1: nats-server
 * (JetStream), Prometheus and Alertmanager. Production code (the demo, `siskin sim up`) and the test
 * harness (test/harness) both start them from here.
 */
export { freePort } from "./ports.js";
export { waitFor, type WaitOptions } from "./wait.js";
export {
  findBinary,
  looksLikePortInUse,
  makeTempDir,
  removeTempDir,
  spawnServer,
  READY_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  type ServerProcess,
  type SpawnSpec,
} from "./process.js";
export { startNats, natsServerBinary, type NatsOptions, type NatsServer } from "./nats-server.js";
export { startPrometheus, type PrometheusFiles, type PrometheusPlace, type PrometheusServer } from "./prometheus-server.js";
export { startAlertmanager, type AlertmanagerOptions, type AlertmanagerServer } from "./alertmanager-server.js";
