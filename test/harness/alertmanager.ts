/** A real Alertmanager on 127.0.0.1 with a temp storage dir (services/sim-world/alertmanager-server.ts), for tests. */
export { startAlertmanager, type AlertmanagerServer } from "../../services/sim-world/alertmanager-server.js";
