/**
 * Admission of a release request: `cmd.orchestrator.release` names a rollout and a version; the
 * spec is read here from the VMRollout on the API server, pinned to its `metadata.generation`, and
 * stated as `evt.release.requested`, which only the orchestrator may publish. So no NATS publisher
 * (the `cli` or `release-trigger` credentials included) can bring a spec of its own: one step of
 * 100 %, no approvers, another image. The new VM's image is the template's `<image>:<version>`, and
 * the version must match the rollout's `versionPattern` (docs/decisions/release-spec-from-the-api-server.md).
 */
import { checkPayload, type MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { ReleaseRequested } from "../../schemas/release.js";
import { Command, Event, releaseIdOf } from "../../schemas/subjects.js";
import { versionProblem } from "../../schemas/tag-glob.js";
import type { CommandPublisher, RolloutSpecs } from "./ports.js";

/** Dependencies of {@link createAdmission}. */
export interface AdmissionDeps {
  /** The API server's VMRollouts; absent when the orchestrator was started without API access. */
  rollouts: RolloutSpecs | undefined;
  publisher: CommandPublisher;
}

/**
 * Handle one release request: publish `evt.release.requested` with the API server's spec (msgId
 * `requested:<command id>`, so a redelivery is dropped by JetStream). A missing rollout, a refused
 * version or an invalid spec throws a permanent error (the request is dead-lettered with the
 * reason); an API failure is retryable.
 */
export function createAdmission(deps: AdmissionDeps) {
  return async (msg: MessageOf<typeof Command.orchestratorRelease>): Promise<{ releaseId: string; generation: number; duplicate: boolean }> => {
    const { rollout, version } = msg.data;
    const ref = `${rollout.namespace}/${rollout.name}`;
    if (deps.rollouts === undefined) {
      throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `release of ${ref} ${version}: this orchestrator has no Kubernetes API access to read the VMRollout; set SISKIN_KUBECONFIG or run it in the cluster`);
    }
    const found = await deps.rollouts.get(rollout.namespace, rollout.name);
    if (found === null) throw new SiskinError("SISKIN_ERR_NOT_FOUND", `release of ${ref} ${version} refused: VMRollout ${ref} does not exist on the API server`);
    const problem = versionProblem(found.spec, version);
    if (problem !== null) throw new SiskinError("SISKIN_ERR_INVALID_ROLLOUT", `release of ${ref} ${version} refused: ${problem}`);
    const generation = found.generation ?? 0;
    const data: ReleaseRequested = { ...msg.data, rollout: { namespace: rollout.namespace, name: rollout.name, generation }, spec: found.spec };
    const problems = checkPayload(Event.releaseRequested, data);
    if (problems.length > 0) throw new SiskinError("SISKIN_ERR_INVALID_ROLLOUT", `release of ${ref} ${version} refused: VMRollout ${ref} (generation ${generation}) is invalid: ${problems.join("; ")}`);
    const releaseId = releaseIdOf(rollout.namespace, rollout.name, version);
    const ack = await deps.publisher.publish({ subject: Event.releaseRequested, data, msgId: `requested:${msg.id}`, releaseId, causationId: msg.id });
    return { releaseId, generation, duplicate: ack.duplicate };
  };
}
