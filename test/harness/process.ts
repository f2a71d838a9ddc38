/**
 * Real servers as child processes. The core lives in services/sim-world/process.ts (the demo starts
 * the same servers); the harness re-exports it unchanged.
 */
export {
  READY_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  findBinary,
  makeTempDir,
  removeTempDir,
  spawnServer,
  looksLikePortInUse,
  type ServerProcess,
  type SpawnSpec,
} from "../../services/sim-world/process.js";
