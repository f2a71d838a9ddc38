/** A real nats-server with JetStream on 127.0.0.1 (services/sim-world/nats-server.ts), for tests. */
export { startNats, natsServerBinary, type NatsOptions, type NatsServer } from "../../services/sim-world/nats-server.js";
