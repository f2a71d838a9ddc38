/** Payloads of `evt.alert.*`, and Alertmanager's webhook body (version 4, tolerant of older senders). */
import { Type, type Static } from "typebox";
import { ObjectRef, Strict, StringMap } from "./common.js";

/** `evt.alert.fired` / `evt.alert.resolved`. */
export const AlertEvent = Strict({
  /** Alertmanager's fingerprint (or a hash of the labels when the sender gives none). */
  fingerprint: Type.String({ minLength: 1 }),
  alertname: Type.String(),
  labels: StringMap,
  annotations: StringMap,
  startsAt: Type.String(),
  endsAt: Type.Optional(Type.String()),
  /** The rollout the alert maps to. */
  rollout: ObjectRef,
  /** The version the alert names, when it names one. */
  version: Type.Optional(Type.String()),
});
export type AlertEvent = Static<typeof AlertEvent>;

/** One alert in an Alertmanager webhook. */
export const WebhookAlert = Type.Object({
  status: Type.Optional(Type.String()),
  labels: StringMap,
  annotations: Type.Optional(StringMap),
  startsAt: Type.Optional(Type.String()),
  endsAt: Type.Optional(Type.String()),
  generatorURL: Type.Optional(Type.String()),
  fingerprint: Type.Optional(Type.String()),
});

/** Alertmanager's webhook body (`<webhook_config>`); extra fields of newer versions are allowed. */
export const AlertmanagerWebhook = Type.Object({
  version: Type.Optional(Type.String()),
  groupKey: Type.Optional(Type.String()),
  truncatedAlerts: Type.Optional(Type.Integer()),
  status: Type.String(),
  receiver: Type.Optional(Type.String()),
  groupLabels: Type.Optional(StringMap),
  commonLabels: Type.Optional(StringMap),
  commonAnnotations: Type.Optional(StringMap),
  externalURL: Type.Optional(Type.String()),
  alerts: Type.Array(WebhookAlert, { maxItems: 10000 }),
});
export type AlertmanagerWebhook = Static<typeof AlertmanagerWebhook>;
