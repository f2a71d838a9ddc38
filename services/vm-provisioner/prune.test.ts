// Which VMs Siskin created go when a rollout keeps revisionHistoryLimit versions.
import { describe, expect, it } from "vitest";
import { planVmPrune } from "./prune.js";
import type { VirtualMachine } from "./vm-types.js";

const vm = (version: string, minute: number, name = `ratings-${version}`): VirtualMachine => ({
  apiVersion: "kubevirt.io/v1",
  kind: "VirtualMachine",
  metadata: {
    name,
    namespace: "bookinfo",
    creationTimestamp: `2026-03-01T12:${String(minute).padStart(2, "0")}:00Z`,
    labels: { "siskin.dev/rollout": "ratings", "siskin.dev/release-version": version },
    annotations: { "siskin.dev/created-by": "vm-provisioner" },
  },
  spec: { template: { spec: {} } },
});
const five = [vm("v2", 1), vm("v3", 2), vm("v4", 3), vm("v5", 4), vm("v6", 5)];

describe("planVmPrune", () => {
  it.each([
    ["limit 2 keeps the new stable and the previous one", five, ["v6", "v5"], 2, { kept: ["v6", "v5"], removed: ["v2", "v3", "v4"], vms: ["ratings-v2", "ratings-v3", "ratings-v4"] }],
    ["limit 3 keeps one more, the newest", five, ["v6", "v5"], 3, { kept: ["v6", "v5", "v4"], removed: ["v2", "v3"], vms: ["ratings-v2", "ratings-v3"] }],
    ["limit 1 keeps only the new stable", five, ["v6"], 1, { kept: ["v6"], removed: ["v2", "v3", "v4", "v5"], vms: ["ratings-v2", "ratings-v3", "ratings-v4", "ratings-v5"] }],
    ["nothing beyond the limit: nothing removed", [vm("v2", 1)], ["v2", "v1"], 2, { kept: ["v2"], removed: [], vms: [] }],
    ["a kept version stays though older than others", five, ["v6", "v2"], 2, { kept: ["v6", "v2"], removed: ["v3", "v4", "v5"], vms: ["ratings-v3", "ratings-v4", "ratings-v5"] }],
    ["a version beyond the limit goes with every VM of it", [...five, vm("v3", 0, "ratings-v3-b")], ["v6", "v5"], 2, { kept: ["v6", "v5"], removed: ["v2", "v3", "v4"], vms: ["ratings-v2", "ratings-v3", "ratings-v3-b", "ratings-v4"] }],
  ])("%s", (_what, vms, keep, limit, expected) => {
    expect(planVmPrune(vms, keep, limit)).toEqual(expected);
  });

  it("never touches a version newer than the kept ones: a later release's canary, in flight", () => {
    // v4 is promoted but superseded by v5, whose canary VM exists already.
    expect(planVmPrune(five, ["v4", "v3"], 2)).toEqual({ kept: ["v4", "v3"], removed: ["v2"], vms: ["ratings-v2"] });
    expect(planVmPrune(five, ["v9"], 2)).toEqual({ kept: [], removed: [], vms: [] });
  });

  it("never removes a VM the user labelled for Siskin but Siskin did not create (the first stable version's)", () => {
    const users = { ...vm("v1", 0), metadata: { ...vm("v1", 0).metadata, annotations: {} } };
    expect(planVmPrune([users, ...five], ["v6", "v5"], 2).vms).toEqual(["ratings-v2", "ratings-v3", "ratings-v4"]);
  });

  it("ignores a VM without Siskin's release-version label", () => {
    const foreign = { ...vm("v0", 0), metadata: { ...vm("v0", 0).metadata, labels: { "siskin.dev/rollout": "ratings" } } };
    expect(planVmPrune([foreign, ...five], ["v6", "v5"], 2).vms).not.toContain("ratings-v0");
  });
});
