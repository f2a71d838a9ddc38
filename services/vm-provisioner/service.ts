// The vm-provisioner: cmd.vm.provision → preflight → plan → create (idempotent) → evt.vm.provisioned;
// cmd.vm.stop → halt (or delete) the version's VMs → evt.vm.stopped. It waits for nothing: the
// k8s-watcher reports readiness. Event ids derive from the command's id, so a redelivered command
// publishes duplicates JetStream drops.
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { SiskinLabel } from "../../schemas/rollout-index.js";
import { Command, Event } from "../../schemas/subjects.js";
import type { Problem } from "../../schemas/vm.js";
import { planVirtualMachine, preflight, PreflightCode } from "./plan.js";
import { planVmPrune } from "./prune.js";
import { isTransient, KubeApiError, type EventPublisher, type MeshObjects, type VirtualMachines } from "./ports.js";
import type { ObjectRef, VirtualMachine } from "./vm-types.js";
import { isConflict, retryOnConflict } from "../runtime/conflict.js";

/** Dependencies of the provisioner. */
export interface ProvisionerDeps {
  vms: VirtualMachines;
  mesh: MeshObjects;
  events: EventPublisher;
  /** Conditional patch attempts per VM on 409 Conflict (default 3). */
  maxPatchAttempts?: number;
}

/** A command the provisioner owns. */
export type ProvisionerMessage = MessageOf<typeof Command.vmProvision> | MessageOf<typeof Command.vmStop> | MessageOf<typeof Command.vmPrune>;

/** What the consume loop tells the handler about the delivery. */
export interface HandleOptions {
  /** True on the last delivery: a retryable provisioning failure is then also published as provision_failed {retryable: true}. */
  lastAttempt?: boolean;
}

/** The provisioner's handlers. */
export interface Provisioner {
  /** Handle one command; throws a retryable SiskinError when the API is unavailable (the consume loop naks). */
  handle(msg: ProvisionerMessage, opts?: HandleOptions): Promise<void>;
}

function unavailable(what: string, err: unknown): SiskinError {
  return new SiskinError("SISKIN_ERR_UNAVAILABLE", `vm-provisioner: ${what} failed: ${(err as Error).message}; retrying`, { cause: err });
}

/** Build the provisioner from its ports. */
export function createService(deps: ProvisionerDeps): Provisioner {
  const maxPatch = deps.maxPatchAttempts ?? 3;
  const envelope = (msg: ProvisionerMessage, suffix: string) => ({
    id: `${msg.id}:${suffix}`,
    causationId: msg.id,
    ...(msg.releaseId === undefined ? {} : { releaseId: msg.releaseId }),
  });

  async function read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isTransient(err)) throw unavailable(what, err);
      throw new SiskinError("SISKIN_ERR_INTERNAL", `vm-provisioner: ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async function fail(msg: MessageOf<typeof Command.vmProvision>, problems: Problem[]): Promise<void> {
    await deps.events.publish(Event.vmProvisionFailed, { ...envelope(msg, "provision_failed"), data: { version: msg.data.version, problems, retryable: false } });
  }

  async function provision(msg: MessageOf<typeof Command.vmProvision>): Promise<void> {
    const { rollout, spec, version, vmName } = msg.data;
    const ns = rollout.namespace;
    const [service, destinationRule, namespace] = await Promise.all([
      read(`reading Service ${ns}/${spec.service}`, () => deps.mesh.service({ namespace: ns, name: spec.service })),
      read(`reading DestinationRule ${ns}/${spec.destinationRule.name}`, () => deps.mesh.destinationRule({ namespace: ns, name: spec.destinationRule.name })),
      read(`reading Namespace ${ns}`, () => deps.mesh.namespace(ns)),
    ]);
    const problems = preflight({ spec, version, rollout, service, destinationRule, namespace });
    if (problems.length > 0) return fail(msg, problems);

    const vm = planVirtualMachine(spec, rollout, version, { name: vmName });
    const ref: ObjectRef = { namespace: ns, name: vm.metadata.name };
    let created = true;
    try {
      await deps.vms.create(vm);
    } catch (err) {
      if (isTransient(err)) throw unavailable(`creating VirtualMachine ${ns}/${ref.name}`, err);
      if (!(err instanceof KubeApiError) || err.status !== 409) {
        return fail(msg, [{ code: PreflightCode.vmRejected, message: `the API server refused VirtualMachine ${ns}/${ref.name}: ${(err as Error).message}`, fix: "fix spec.vmTemplate of the VMRollout (or the provisioner's RBAC: create on virtualmachines.kubevirt.io), then release again" }]);
      }
      const existing = await read(`reading VirtualMachine ${ns}/${ref.name}`, () => deps.vms.get(ref));
      if (existing === null) throw unavailable(`re-reading VirtualMachine ${ns}/${ref.name} after 409 AlreadyExists (it vanished)`, err);
      const theirs = existing.metadata.labels?.[SiskinLabel.releaseVersion] ?? existing.spec.template.metadata?.labels?.[spec.versionLabel ?? "version"];
      if (theirs !== version) {
        return fail(msg, [{ code: PreflightCode.vmNameTaken, message: `VirtualMachine ${ns}/${ref.name} exists and runs version ${theirs ?? "(unlabelled)"}, not ${version}`, fix: `delete or rename VirtualMachine ${ns}/${ref.name}, then release ${version} again` }]);
      }
      created = false;
    }
    await deps.events.publish(Event.vmProvisioned, { ...envelope(msg, "provisioned"), data: { vm: ref, version, created } });
  }

  /** Halts one VM with a conditional merge patch, re-reading on 409 (a VM gone or already halted is done). */
  async function halt(vm: VirtualMachine): Promise<void> {
    const ref = { namespace: vm.metadata.namespace, name: vm.metadata.name };
    await retryOnConflict({ attempts: maxPatch, what: `vm-provisioner: halting VirtualMachine ${ref.namespace}/${ref.name}` }, async (attempt) => {
      const current = attempt === 1 ? vm : await read(`re-reading VirtualMachine ${ref.namespace}/${ref.name}`, () => deps.vms.get(ref));
      if (current === null) return;
      // A VM of the older API carries `running`; setting runStrategy beside it is invalid.
      const spec = current.spec.running !== undefined ? { running: false } : { runStrategy: "Halted" };
      if (current.spec.running === false || (current.spec.running === undefined && current.spec.runStrategy === "Halted")) return;
      try {
        await deps.vms.patch(ref, { metadata: { resourceVersion: current.metadata.resourceVersion }, spec });
      } catch (err) {
        if (isTransient(err)) throw unavailable(`halting VirtualMachine ${ref.namespace}/${ref.name}`, err);
        if (err instanceof KubeApiError && err.status === 404) return;
        if (isConflict(err)) throw err;
        throw new SiskinError("SISKIN_ERR_INTERNAL", `vm-provisioner: halting VirtualMachine ${ref.namespace}/${ref.name} failed: ${(err as Error).message}`, { cause: err });
      }
    });
  }

  async function stop(msg: MessageOf<typeof Command.vmStop>): Promise<void> {
    const { rollout, version } = msg.data;
    const selectors = [`${SiskinLabel.rollout}=${rollout.name},${SiskinLabel.releaseVersion}=${version}`];
    const match = Object.entries(msg.data.matchLabels ?? {});
    if (match.length > 0) selectors.push(match.map(([k, v]) => `${k}=${v}`).join(","));
    const byName = new Map<string, Awaited<ReturnType<typeof deps.vms.list>>[number]>();
    for (const selector of selectors) {
      const found = await read(`listing VirtualMachines ${rollout.namespace} (${selector})`, () => deps.vms.list(rollout.namespace, selector));
      for (const vm of found) byName.set(vm.metadata.name, vm);
    }
    const vms = [...byName.values()];
    for (const vm of vms) {
      if (msg.data.delete) {
        await read(`deleting VirtualMachine ${rollout.namespace}/${vm.metadata.name}`, () => deps.vms.delete({ namespace: rollout.namespace, name: vm.metadata.name }));
      } else {
        await halt(vm);
      }
    }
    const names = vms.map((v) => v.metadata.name).sort();
    await deps.events.publish(Event.vmStopped, { ...envelope(msg, "stopped"), data: { version, vms: names, deleted: msg.data.delete } });
  }

  /** Delete the VMs Siskin created for versions beyond revisionHistoryLimit. */
  async function prune(msg: MessageOf<typeof Command.vmPrune>): Promise<void> {
    const { rollout, keep, limit } = msg.data;
    const selector = `${SiskinLabel.rollout}=${rollout.name}`;
    const vms = await read(`listing VirtualMachines ${rollout.namespace} (${selector})`, () => deps.vms.list(rollout.namespace, selector));
    const plan = planVmPrune(vms, keep, limit);
    for (const name of plan.vms) {
      await read(`deleting VirtualMachine ${rollout.namespace}/${name}`, () => deps.vms.delete({ namespace: rollout.namespace, name }));
    }
    await deps.events.publish(Event.vmPruned, {
      ...envelope(msg, "pruned"),
      data: { rollout: { namespace: rollout.namespace, name: rollout.name }, removed: plan.removed, vms: plan.vms, kept: plan.kept },
    });
  }

  return {
    async handle(msg, opts = {}) {
      switch (msg.type) {
        case Command.vmProvision: {
          const cmd = msg as MessageOf<typeof Command.vmProvision>;
          try {
            return await provision(cmd);
          } catch (err) {
            if (opts.lastAttempt === true && err instanceof SiskinError && err.retryable) {
              await deps.events.publish(Event.vmProvisionFailed, { ...envelope(cmd, "provision_failed"), data: { version: cmd.data.version, problems: [{ code: err.code, message: err.message, fix: "make the Kubernetes API reachable for the vm-provisioner, then release again" }], retryable: true } });
            }
            throw err;
          }
        }
        case Command.vmStop:
          return stop(msg as MessageOf<typeof Command.vmStop>);
        case Command.vmPrune:
          return prune(msg as MessageOf<typeof Command.vmPrune>);
        default: {
          const never: never = msg;
          throw new SiskinError("SISKIN_ERR_UNKNOWN_SUBJECT", `vm-provisioner: no handler for ${(never as { type: string }).type}`);
        }
      }
    },
  };
}
