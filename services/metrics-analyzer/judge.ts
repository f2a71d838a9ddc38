/** The {@link Judge} port bound to the canary workflow's pure judge (workflows/canary/judge.ts). */
import { judgeMetric } from "../../workflows/canary/judge.js";
import type { Judge } from "./ports.js";

/** Judge one metric from its canary and stable samples. */
export const judge: Judge = (spec, canary, stable, ctx) => judgeMetric(spec, { canary, stable }, { minRequests: ctx.minRequests });
