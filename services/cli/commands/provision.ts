// `siskin provision`: create or update Siskin's JetStream streams, durable consumers and KV buckets
// (idempotent). Connects with the SISKIN_NATS_* variables, as the NATS admin user in a cluster.
import { Command, InvalidArgumentError } from "commander";
import { Type } from "typebox";
import { connectNats, JetStreamConfig, loadConfig, NatsConfig, provision, provisionOptionsOf } from "../../runtime/index.js";

const ProvisionEnv = Type.Object({ nats: NatsConfig, jetstream: JetStreamConfig });

const replicas = (raw: string): number => {
  const n = Number(raw);
  if (![1, 3, 5].includes(n)) throw new InvalidArgumentError(`--replicas must be 1, 3 or 5 (JetStream replica counts), got "${raw}"`);
  return n;
};

/** Adds `provision` to the program. */
export function register(program: Command): void {
  program
    .command("provision")
    .description(
      "create or update the JetStream streams, consumers and KV buckets (SISKIN_NATS_SERVERS, _USER, _PASS; " +
        "SISKIN_JETSTREAM_REPLICAS, _ACK_WAIT_MS, _MAX_DELIVER, _DUPLICATE_WINDOW_MS)",
    )
    .option("--replicas <n>", "replicas of every stream and bucket: 1 on a single server, 3 on the NATS cluster (default SISKIN_JETSTREAM_REPLICAS, else 1)", replicas)
    .action(async (flags: { replicas?: number }) => {
      const cfg = loadConfig(ProvisionEnv, process.env);
      const nc = await connectNats(cfg.nats, "siskin-provision");
      try {
        const report = await provision(nc, { ...provisionOptionsOf(cfg.jetstream), ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }) });
        for (const [kind, objects] of Object.entries(report)) {
          for (const [name, action] of Object.entries(objects as Record<string, string>)) process.stdout.write(`${kind.slice(0, -1)} ${name} ${action}\n`);
        }
      } finally {
        await nc.close();
      }
    });
}
