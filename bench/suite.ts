/** Every benchmark of the suite, in the order `npm run bench` runs them. */
import { alertRollback } from "./alert-rollback.js";
import { dashboard } from "./dashboard.js";
import { decisions } from "./decisions/index.js";
import { faultRollback } from "./fault-rollback.js";
import { recovery } from "./recovery.js";
import { scale } from "./scale/index.js";
import { watchThroughput } from "./watch-throughput.js";
import type { Benchmark } from "./lib/types.js";

/** The suite. */
export const benchmarks: readonly Benchmark[] = [alertRollback, faultRollback, scale, watchThroughput, recovery, dashboard, decisions];
