/** Bounded polling (services/sim-world/wait.ts): wait for a condition with a deadline, never an open-ended sleep. */
export { waitFor, type WaitOptions } from "../../services/sim-world/wait.js";
