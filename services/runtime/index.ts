/** Shared plumbing of every Siskin service (not a service itself). */
export { loadConfig, deepFreeze, NatsConfig, HttpConfig, type LoadConfigOptions } from "./config.js";
export { connectNats, natsConnectOptions } from "./nats.js";
export {
  provision,
  streamConfigs,
  consumerConfig,
  BucketHistory,
  DEFAULT_MAX_DELIVER,
  JetStreamConfig,
  provisionOptionsOf,
  type ProvisionOptions,
  type ProvisionReport,
  type ProvisionAction,
} from "./provision.js";
export { consumerOwns, serverFilters, subjectMatches, supportsMultiFilter } from "./consumer-filter.js";
export { createPublisher, type Publisher, type PublisherOptions, type Outgoing, type Published } from "./publish.js";
export {
  startConsumer,
  DEFAULT_BACKOFF_MS,
  type ConsumerOptions,
  type DeliveryContext,
  type MessageHandler,
  type RunningConsumer,
} from "./consume.js";
export { consumerMetrics, type ConsumerMetrics } from "./consumer-metrics.js";
export { deadLetterHeaders, type DeadReason } from "./dead-letter.js";
export { isConflict, retryOnConflict, type RetryOnConflictOptions } from "./conflict.js";
export { openKv, RevisionConflictError, type JsonKv, type KvEntry } from "./kv.js";
export { createLogger, LogField, redactSecrets, type LoggerOptions } from "./logger.js";
export { buildHealthApp, startHealthServer, type HealthOptions, type HealthServer } from "./health.js";
export { onShutdown, type Shutdown, type ShutdownOptions } from "./shutdown.js";
export { isMainModule, runIfMain, stopOnce, type Stoppable } from "./run-main.js";
export { startWorker, type Env, type RunningWorker, type WorkerConfig, type WorkerContext, type WorkerSpec } from "./worker.js";
export { silentLog, type Log } from "./ports.js";
