/** prom-client counters of the consume loop, per consumer and subject. */
import { Counter, Histogram, register as globalRegistry, type Registry } from "prom-client";

/** The consume loop's metrics. */
export interface ConsumerMetrics {
  /** Messages delivered to the loop (every delivery, redeliveries included). */
  handled: Counter<"consumer" | "subject">;
  /** Messages acked after the handler succeeded (or skipped: not this consumer's subject). */
  acked: Counter<"consumer" | "subject">;
  /** Messages nak'd with a delay for a retry. */
  nacked: Counter<"consumer" | "subject">;
  /** Messages sent to the dead-letter stream, by error code. */
  deadLettered: Counter<"consumer" | "subject" | "code">;
  /** Messages terminated on their last delivery because even their dead letter could not be published. */
  deadLetterFailed: Counter<"consumer" | "subject" | "code">;
  /** Handler run time. */
  duration: Histogram<"consumer" | "subject">;
}

const byRegistry = new WeakMap<Registry, ConsumerMetrics>();

/** The consume-loop metrics registered in `registry` (created once per registry). */
export function consumerMetrics(registry: Registry = globalRegistry): ConsumerMetrics {
  const have = byRegistry.get(registry);
  if (have !== undefined) return have;
  const registers = [registry];
  const m: ConsumerMetrics = {
    handled: new Counter({ name: "siskin_messages_handled_total", help: "Messages delivered to a consumer's handler loop.", labelNames: ["consumer", "subject"], registers }),
    acked: new Counter({ name: "siskin_messages_acked_total", help: "Messages acked.", labelNames: ["consumer", "subject"], registers }),
    nacked: new Counter({ name: "siskin_messages_nacked_total", help: "Messages nak'd for a delayed retry.", labelNames: ["consumer", "subject"], registers }),
    deadLettered: new Counter({
      name: "siskin_messages_dead_lettered_total",
      help: "Messages sent to the dead-letter stream and terminated.",
      labelNames: ["consumer", "subject", "code"],
      registers,
    }),
    deadLetterFailed: new Counter({
      name: "siskin_dead_letter_failed_total",
      help: "Messages terminated on their last delivery because their dead letter could not be published (look for them by stream sequence in the logs).",
      labelNames: ["consumer", "subject", "code"],
      registers,
    }),
    duration: new Histogram({
      name: "siskin_message_handle_seconds",
      help: "Handler run time per message.",
      labelNames: ["consumer", "subject"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
