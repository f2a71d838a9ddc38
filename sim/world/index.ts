/**
 * The simulated world as one module: `startWorld` (servers, simulators, workers) for the demo,
 * `siskin sim up` and the end-to-end tests, and the server starters the test harness shares.
 */
export { startWorld, bookinfoDir, defaultIntervals, onCallUser, type StartWorker, type World, type WorldIntervals, type WorldOptions, type WorldPorts } from "./world.js";
export { WorkerNames, defaultSecrets, workerEnv, workerUrls, type WorkerName, type WorldSecrets, type WorkerEnvInput } from "./world-env.js";
export { loadClientsOf, LoadAnnotation, type LoadClient } from "./load-clients.js";
export * from "./servers.js";
