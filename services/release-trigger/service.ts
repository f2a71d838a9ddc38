/**
 * release-trigger's handlers: a GitHub tag push or an API call becomes `cmd.orchestrator.release`
 * for every VMRollout it concerns (the orchestrator reads the spec); an operator action becomes
 * `cmd.orchestrator.control`, or `cmd.orchestrator.decide` for an authenticated person's decision.
 */
import { createHash } from "node:crypto";
import { checkPayload } from "../../schemas/codec.js";
import { isDecideAction, type ControlAction } from "../../schemas/control.js";
import type { ReleaseRequest } from "../../schemas/release.js";
import { versionProblem } from "../../schemas/tag-glob.js";
import { Command, releaseIdOf } from "../../schemas/subjects.js";
import type { Publisher, RolloutRecord, Rollouts } from "./ports.js";
import { classifyPush, commitSha, defaultTagPattern, tagMatches, versionFromTag } from "./tags.js";

/** Who asked (the schema's Actor). */
export type Actor = ReleaseRequest["requestedBy"];

/** An HTTP-shaped answer: the app writes it as is. */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One verified GitHub delivery. */
export interface GithubDelivery {
  /** `X-GitHub-Event`. */
  event: string;
  /** `X-GitHub-Delivery`: reported back, never a dedupe key (it is not signed). */
  deliveryId: string;
  /** The parsed JSON payload. */
  payload: unknown;
}

/** A release asked for through the API. */
export interface ApiReleaseRequest {
  namespace: string;
  name: string;
  version: string;
  tag?: string;
  commit?: string;
  actor: Actor;
  /** The caller's `Idempotency-Key`; defaults to the release id, so a repeat starts nothing new. */
  idempotencyKey?: string;
}

/** An operator action on a release. */
export interface ControlRequest {
  releaseId: string;
  action: ControlAction;
  actor: Actor;
  /** Groups of an authenticated person (per-person token), carried with approve/reject/promote. */
  groups?: string[];
  reason?: string;
  /** The caller's `Idempotency-Key`; a fresh id otherwise. */
  idempotencyKey?: string;
}

/** Dependencies of {@link createService}. */
export interface ReleaseTriggerDeps {
  rollouts: Rollouts;
  publisher: Publisher;
  /** A unique id (crypto.randomUUID in main.ts). */
  newId: () => string;
}

interface Candidate {
  rollout: RolloutRecord;
  version: string;
  tag?: string;
  commit?: string;
  repository?: string;
  requestedBy: Actor;
  idempotencyKey: string;
  msgId: string;
}

type Field = Record<string, unknown> | undefined;
const obj = (v: unknown): Field => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A short key of a tag push from its signed content. */
export function pushKeyOf(repository: string, tag: string, commit: string): string {
  return `push:${createHash("sha256").update(`${repository.toLowerCase()}\n${tag}\n${commit}`).digest("hex").slice(0, 40)}`;
}

/** Build the handlers. */
export function createService(deps: ReleaseTriggerDeps) {
  /**
   * Ask the orchestrator for the release: `cmd.orchestrator.release` names the rollout and the
   * version only; the orchestrator reads the spec from the API server itself. The rollout read here
   * only answers early (unknown rollout, refused version).
   */
  async function publishRequest(c: Candidate): Promise<{ releaseId: string; duplicate: boolean } | { error: string }> {
    const { namespace, name } = c.rollout;
    const refused = versionProblem(c.rollout.spec, c.version);
    if (refused !== null) return { error: `VMRollout ${namespace}/${name} cannot be released: ${refused}` };
    const data: ReleaseRequest = {
      rollout: { namespace, name },
      version: c.version,
      ...(c.tag === undefined ? {} : { tag: c.tag }),
      ...(c.commit === undefined ? {} : { commit: c.commit }),
      ...(c.repository === undefined ? {} : { repository: c.repository }),
      requestedBy: c.requestedBy,
      idempotencyKey: c.idempotencyKey,
    };
    const problems = checkPayload(Command.orchestratorRelease, data);
    if (problems.length > 0) return { error: `VMRollout ${namespace}/${name} cannot be released: ${problems.join("; ")}` };
    const releaseId = releaseIdOf(namespace, name, c.version);
    const ack = await deps.publisher.publish(Command.orchestratorRelease, { id: c.msgId, releaseId, data });
    return { releaseId, duplicate: ack.duplicate };
  }

  async function onPush(d: GithubDelivery, p: Record<string, unknown>): Promise<Reply> {
    const push = classifyPush(p);
    if (push.kind === "ignored") return { status: 202, body: { delivery: d.deliveryId, ignored: true, reason: push.reason } };
    const repository = str(obj(p.repository)?.full_name);
    if (repository === undefined) return { status: 400, body: { error: "push payload has no repository.full_name" } };
    const version = versionFromTag(push.tag);
    if (version === undefined) {
      return { status: 202, body: { delivery: d.deliveryId, ignored: true, reason: `tag ${push.tag} yields no valid version label` } };
    }
    const rollouts = await deps.rollouts.findByRepository(repository);
    if (rollouts.length === 0) {
      const reason = `no VMRollout has spec.source.repository ${repository}`;
      return { status: 202, body: { delivery: d.deliveryId, ignored: true, reason } };
    }
    const login = str(obj(p.sender)?.login) ?? str(obj(p.pusher)?.name) ?? "github";
    const commit = commitSha(obj(p.head_commit)?.id, p.after);
    // The dedupe key comes from the signed body (repository, tag, commit), not X-GitHub-Delivery,
    // which is outside the signature: a re-sent push with a fresh delivery id is the same push.
    const pushKey = pushKeyOf(repository, push.tag, commit ?? str(p.after) ?? "");
    const accepted: Array<{ rollout: string; releaseId: string; duplicate: boolean }> = [];
    const ignored: Array<{ rollout: string; reason: string }> = [];
    for (const r of rollouts) {
      const ref = `${r.namespace}/${r.name}`;
      const pattern = r.spec.source?.tagPattern ?? defaultTagPattern;
      if (r.spec.source === undefined) {
        ignored.push({ rollout: ref, reason: "VMRollout has no spec.source" });
        continue;
      }
      if (!tagMatches(pattern, push.tag)) {
        ignored.push({ rollout: ref, reason: `tag ${push.tag} does not match tagPattern ${pattern}` });
        continue;
      }
      const out = await publishRequest({
        rollout: r,
        version,
        tag: push.tag,
        ...(commit === undefined ? {} : { commit }),
        repository,
        requestedBy: { kind: "github", id: login },
        idempotencyKey: pushKey,
        msgId: `release:${pushKey}:${ref}`,
      });
      if ("error" in out) ignored.push({ rollout: ref, reason: out.error });
      else accepted.push({ rollout: ref, ...out });
    }
    const body: Record<string, unknown> = { delivery: d.deliveryId, version, accepted, ignored };
    if (accepted.length === 0) body.reason = ignored.map((i) => `${i.rollout}: ${i.reason}`).join("; ");
    return { status: 202, body };
  }

  return {
    /** Handle a verified GitHub delivery: `ping`, `push` of a new tag; anything else is ignored. */
    async handleGithub(d: GithubDelivery): Promise<Reply> {
      const p = obj(d.payload);
      if (p === undefined) return { status: 400, body: { error: "payload is not a JSON object" } };
      if (d.event === "ping") return { status: 200, body: { ok: true, zen: str(p.zen) ?? "", hookId: p.hook_id ?? null } };
      if (d.event !== "push") {
        return { status: 202, body: { delivery: d.deliveryId, ignored: true, reason: `event ${d.event} is not handled; subscribe to push` } };
      }
      return onPush(d, p);
    },

    /** Ask for a release of an existing rollout (API or CLI). 404 when the rollout does not exist. */
    async requestRelease(req: ApiReleaseRequest): Promise<Reply> {
      const rollout = await deps.rollouts.get(req.namespace, req.name);
      if (rollout === null) return { status: 404, body: { error: `VMRollout ${req.namespace}/${req.name} not found` } };
      const key = req.idempotencyKey ?? releaseIdOf(req.namespace, req.name, req.version);
      const out = await publishRequest({
        rollout,
        version: req.version,
        ...(req.tag === undefined ? {} : { tag: req.tag }),
        ...(req.commit === undefined ? {} : { commit: req.commit }),
        ...(rollout.spec.source === undefined ? {} : { repository: rollout.spec.source.repository }),
        requestedBy: req.actor,
        idempotencyKey: key,
        msgId: `release:api:${key}`,
      });
      if ("error" in out) return { status: 422, body: { error: out.error } };
      return { status: 202, body: { releaseId: out.releaseId, duplicate: out.duplicate } };
    },

    /**
     * Send an operator action to the orchestrator: approve, reject and promote on
     * `cmd.orchestrator.decide` (the caller authenticated the actor), the safe ones on control.
     */
    async control(req: ControlRequest): Promise<Reply> {
      const id = `control:${req.releaseId}:${req.action}:${req.idempotencyKey ?? deps.newId()}`;
      const reason = req.reason === undefined ? {} : { reason: req.reason };
      const action = req.action;
      const ack = isDecideAction(action)
        ? await deps.publisher.publish(Command.orchestratorDecide, {
            id,
            releaseId: req.releaseId,
            data: { action, actor: req.actor, ...(req.groups === undefined ? {} : { groups: req.groups }), ...reason },
          })
        : await deps.publisher.publish(Command.orchestratorControl, { id, releaseId: req.releaseId, data: { action, actor: req.actor, ...reason } });
      return { status: 202, body: { releaseId: req.releaseId, action: req.action, commandId: id, duplicate: ack.duplicate } };
    },
  };
}

/** The handlers built by {@link createService}. */
export type ReleaseTriggerService = ReturnType<typeof createService>;
