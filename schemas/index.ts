/** The contract: subjects, envelope, payloads, the VMRollout, the codec. */
export * from "./subjects.js";
export * from "./common.js";
export * from "./envelope.js";
export * from "./errors.js";
export * from "./rollout.js";
export * from "./rollout-defaults.js";
export * from "./release.js";
export * from "./vm.js";
export * from "./traffic.js";
export * from "./analysis.js";
export * from "./alert.js";
export * from "./approval.js";
export * from "./control.js";
export * from "./catalog.js";
export * from "./codec.js";
export * from "./tag-glob.js";
