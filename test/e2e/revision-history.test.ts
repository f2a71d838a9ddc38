/**
 * Old versions do not pile up: after 5 promoted releases of BookInfo's ratings, only
 * `revisionHistoryLimit` (2) of the versions Siskin released remain in the VirtualService, the
 * DestinationRule and the VMs: the stable one and the previous one, kept for a rollback. v1, which the
 * BookInfo install created (not Siskin), stays. The removals are in the last release's audit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness/index.js";
import { startE2eWorld, type E2eWorld } from "./world.test-util.js";

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld();
  // Two short steps and no approval gate: five releases in a few minutes.
  w.patchRollout({ steps: [{ weight: 50 }, { weight: 100 }], revisionHistoryLimit: 2 });
}, 60_000);
afterAll(async () => {
  await w?.close();
});

type Obj = { metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown> };
const store = () => w.world.cluster.store;
const vsSubsets = () =>
  ((store().get("virtualservices.networking.istio.io", "bookinfo", "ratings") as unknown as Obj).spec.http as Array<{ route: Array<{ destination: { subset: string } }> }>)[0]?.route.map((d) => d.destination.subset);
const drSubsets = () => ((store().get("destinationrules.networking.istio.io", "bookinfo", "ratings") as unknown as Obj).spec.subsets as Array<{ name: string }>).map((s) => s.name);
const vms = () => (store().list("virtualmachines.kubevirt.io", "bookinfo") as unknown as Obj[]).map((v) => v.metadata.name).sort();

describe("revisionHistoryLimit", () => {
  it("after 5 promoted releases keeps 2 of Siskin's versions in the VirtualService, the DestinationRule and the VMs", async () => {
    const tags = ["v3.0.0", "v3.1.0", "v3.2.0", "v3.3.0", "v3.4.0"];
    for (const tag of tags) {
      const r = await w.play({ tag, title: `${tag} promoted`, expect: "promoted", expectStableStopped: true });
      expect(r.problems, tag).toEqual([]);
      expect(r.outcome, tag).toBe("promoted");
    }
    await waitFor(() => (vsSubsets()?.length === 3 && drSubsets().length === 3 && vms().length === 3 ? true : undefined), {
      timeoutMs: 20_000,
      what: "the last prune",
    }).catch(async (err: Error) => {
      const audit = await w.audit("bookinfo/ratings/v3.4.0");
      throw new Error(`${err.message}: vs ${JSON.stringify(vsSubsets())} dr ${JSON.stringify(drSubsets())} vms ${JSON.stringify(vms())}; audit ${JSON.stringify(audit.slice(-4).map((a) => `${a.event}: ${a.reason}`))}`);
    });
    expect(vsSubsets()).toEqual(["v1", "v3.3.0", "v3.4.0"]);
    expect(drSubsets()).toEqual(["v1", "v3.3.0", "v3.4.0"]);
    expect(vms()).toEqual(["ratings-v1", "ratings-v3-3-0", "ratings-v3-4-0"]);

    const audit = await w.audit("bookinfo/ratings/v3.4.0");
    const lines = audit.map((a) => `${a.event}: ${a.reason}`);
    expect(lines).toContainEqual(expect.stringMatching(/^tick: .*keeping v3\.4\.0 and v3\.3\.0 \(revisionHistoryLimit 2\)/));
    expect(lines).toContainEqual("evt.vm.pruned: revision history: deleted VirtualMachines ratings-v3-2-0 of v3.2.0; kept v3.4.0, v3.3.0");
    expect(lines).toContainEqual("evt.traffic.pruned: revision history: removed the routes' destinations (http[0] → v3.2.0) and subsets (v3.2.0) of v3.2.0");
  }, 600_000);
});
