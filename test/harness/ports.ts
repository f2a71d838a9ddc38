/** Free TCP ports on the loopback interface (services/sim-world/ports.ts), for servers the tests start. */
export { freePort } from "../../services/sim-world/ports.js";
