/** sim-slack's configuration (`SISKIN_SIM_SLACK_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { loadConfig } from "../../services/runtime/config.js";
import type { SimSlackOptions } from "./server.js";

/** Settings of a served sim-slack. */
export const SimSlackConfig = Type.Object(
  {
    simSlack: Type.Object(
      {
        host: Type.String({ minLength: 1, default: "127.0.0.1" }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 18090 }),
        signingSecret: Type.String({ minLength: 1, default: "sim-slack-signing-secret" }),
        botToken: Type.String({ minLength: 1, default: "xoxb-sim-slack-token" }),
        /** Where clicks are POSTed (approval-gateway's interactivity URL). */
        interactivityUrl: Type.Optional(Type.String({ minLength: 1 })),
        /** `U1:alice,U2:bob`. */
        users: Type.Array(Type.String({ pattern: "^[^:]+:.+$" }), { default: [] }),
        /** `S1=U1+U2,S2=U3`. */
        usergroups: Type.Array(Type.String({ pattern: "^[^=]+=.*$" }), { default: [] }),
        /** Channels that exist; any when empty. */
        channels: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SimSlackConfig = Static<typeof SimSlackConfig>;

/** Read the configuration; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<SimSlackConfig> {
  return loadConfig(SimSlackConfig, env, { prefix: "SISKIN_" });
}

/** The server options a configuration means. */
export function toOptions(c: SimSlackConfig["simSlack"]): SimSlackOptions {
  return {
    host: c.host,
    port: c.port,
    signingSecret: c.signingSecret,
    botToken: c.botToken,
    ...(c.interactivityUrl === undefined ? {} : { interactivityUrl: c.interactivityUrl }),
    users: c.users.map((u) => {
      const i = u.indexOf(":");
      return { id: u.slice(0, i), name: u.slice(i + 1) };
    }),
    usergroups: Object.fromEntries(c.usergroups.map((g) => {
      const i = g.indexOf("=");
      return [g.slice(0, i), g.slice(i + 1).split("+").filter((s) => s !== "")];
    })),
    ...(c.channels.length === 0 ? {} : { channels: c.channels }),
  };
}
