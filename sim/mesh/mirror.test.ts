import { describe, expect, it } from "vitest";
import { Annotation } from "./behaviour.js";
import { createLoadGenerator } from "./load.js";
import { createMesh } from "./mesh.js";
import { istioObjects, objects, service, vmi } from "./helpers.test-util.js";
import type { VirtualService } from "./types.js";

const bookinfo = istioObjects("istio/bookinfo-vs-all-v1.yaml", "istio/bookinfo-dr-all.yaml");
/** bookinfo's reviews VirtualService (all to v1), with `edit` applied to its one route. */
function reviewsWith(edit: (route: NonNullable<NonNullable<VirtualService["spec"]>["http"]>[number]) => void): VirtualService[] {
  const vss = structuredClone(bookinfo.virtualServices.filter((v) => v.metadata.name === "reviews"));
  const route = vss[0]?.spec?.http?.[0];
  if (route) edit(route);
  return vss;
}
const world = (vss: VirtualService[], v2: Record<string, string> = {}) =>
  objects({
    virtualServices: vss,
    destinationRules: bookinfo.destinationRules,
    services: [service("reviews", { app: "reviews" })],
    vmis: [
      vmi("reviews-v1", { labels: { app: "reviews", version: "v1" } }),
      vmi("reviews-v2", { labels: { app: "reviews", version: "v2" }, annotations: { [Annotation.errorRate]: "1", [Annotation.errorCodes]: "503", ...v2 } }),
    ],
  });
const mirror100 = reviewsWith((r) => {
  r.mirror = { host: "reviews", subset: "v2" };
  r.mirrorPercentage = { value: 100 };
});

/** `istio_requests_total` rows by reporter and destination_version, from the exposition text. */
async function requestsBy(mesh: ReturnType<typeof createMesh>): Promise<Record<string, number>> {
  const text = await mesh.telemetry.registry.metrics();
  const out: Record<string, number> = {};
  for (const line of text.split("\n").filter((l) => l.startsWith("istio_requests_total{"))) {
    const reporter = /reporter="([^"]*)"/.exec(line)?.[1];
    const version = /destination_version="([^"]*)"/.exec(line)?.[1];
    const key = `${reporter}/${version}`;
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return out;
}

describe("mesh: mirroring (Istio `mirror` + `mirrorPercentage`)", () => {
  it("the mirror gets a copy of every request; users only ever get v1's answers (v2's 503s are discarded)", async () => {
    const mesh = createMesh({ clock: () => 0, seed: 3 });
    mesh.update(world(mirror100));
    const c = mesh.generate({ host: "reviews", count: 1000 });
    expect(c.byVersion).toEqual({ v1: 1000 });
    expect(c.byCode).toEqual({ "200": 1000 });
    expect(c.mirroredByVersion).toEqual({ v2: 1000 });
    const one = mesh.request({ host: "reviews" });
    expect(one).toMatchObject({ code: 200, version: "v1", shadows: [{ version: "v2", workload: "reviews-v2", code: 503 }] });
  });

  it("telemetry: the copy is reported only by the mirror's server sidecar (reporter=destination), never by the client", async () => {
    const mesh = createMesh({ clock: () => 0, seed: 3 });
    mesh.update(world(mirror100));
    mesh.generate({ host: "reviews", count: 200 });
    expect(await requestsBy(mesh)).toEqual({ "destination/v1": 200, "source/v1": 200, "destination/v2": 200 });
    const text = await mesh.telemetry.registry.metrics();
    const v2 = text.split("\n").filter((l) => l.startsWith("istio_requests_total{") && l.includes('destination_version="v2"'));
    expect(v2).toHaveLength(1);
    expect(v2[0]).toContain('response_code="503"');
    expect(v2[0]).toContain('destination_workload="reviews-v2"');
  });

  it("mirrorPercentage 25 copies about a quarter; mirrors[] are honoured too", () => {
    const mesh = createMesh({ clock: () => 0, seed: 5 });
    mesh.update(world(reviewsWith((r) => {
      r.mirror = { host: "reviews", subset: "v2" };
      r.mirrorPercentage = { value: 25 };
    })));
    const c = mesh.generate({ host: "reviews", count: 10_000 });
    expect(Math.abs((c.mirroredByVersion?.["v2"] ?? 0) / 10_000 - 0.25)).toBeLessThan(0.015);
    mesh.update(world(reviewsWith((r) => (r.mirrors = [{ destination: { host: "reviews", subset: "v2" }, percentage: { value: 100 } }]))));
    expect(mesh.generate({ host: "reviews", count: 100 }).mirroredByVersion).toEqual({ v2: 100 });
  });

  it("adding a mirror leaves the primary routing's random draws as they were", () => {
    const split = (mirror: boolean) => {
      const mesh = createMesh({ clock: () => 0, seed: 11 });
      mesh.update(world(reviewsWith((r) => {
        r.route = [{ destination: { host: "reviews", subset: "v1" }, weight: 70 }, { destination: { host: "reviews", subset: "v3" }, weight: 30 }];
        if (mirror) r.mirror = { host: "reviews", subset: "v2" };
      })));
      return mesh.generate({ host: "reviews", count: 500 }).byVersion;
    };
    expect(split(true)).toEqual(split(false));
  });

  it("a copy to a subset with no Ready VMI reaches nothing and is reported by nobody", async () => {
    const mesh = createMesh({ clock: () => 0, seed: 3 });
    const w = world(mirror100);
    w.vmis = w.vmis.filter((v) => v.metadata.name !== "reviews-v2");
    mesh.update(w);
    const c = mesh.generate({ host: "reviews", count: 50 });
    expect(c.mirroredByVersion).toBeUndefined();
    expect(await requestsBy(mesh)).toEqual({ "destination/v1": 50, "source/v1": 50 });
  });
});

describe("mesh: matched routes and the load generator's tagged share", () => {
  const matched = reviewsWith(() => {});
  matched[0]?.spec?.http?.unshift({
    name: "siskin-canary",
    match: [{ headers: { "x-canary": { exact: "always" } } }, { headers: { cookie: { regex: "^(.*?; ?)?(beta=true)(;.*)?$" } } }],
    route: [{ destination: { host: "reviews", subset: "v2" }, weight: 100 }],
  });

  it("only requests with the header or the cookie reach v2", () => {
    const mesh = createMesh({ clock: () => 0 });
    mesh.update(world(matched, { [Annotation.errorRate]: "0" }));
    expect(mesh.generate({ host: "reviews", count: 100 }).byVersion).toEqual({ v1: 100 });
    expect(mesh.generate({ host: "reviews", count: 10, headers: { "x-canary": "always" } }).byVersion).toEqual({ v2: 10 });
    expect(mesh.generate({ host: "reviews", count: 10, headers: { cookie: "session=1; beta=true" } }).byVersion).toEqual({ v2: 10 });
    expect(mesh.generate({ host: "reviews", count: 10, headers: { "x-canary": "sometimes" } }).byVersion).toEqual({ v1: 10 });
  });

  it("a load with tagged {share: 0.1} sends exactly a tenth of its requests with the header", () => {
    const mesh = createMesh({ clock: () => 0 });
    mesh.update(world(matched, { [Annotation.errorRate]: "0" }));
    const sent: Array<{ count: number; headers?: Record<string, string> }> = [];
    const load = createLoadGenerator((t) => {
      sent.push({ count: t.count, ...(t.headers === undefined ? {} : { headers: t.headers }) });
      return mesh.generate(t);
    });
    load.start({ host: "reviews", rps: 100, maxSeconds: 10, tagged: { share: 0.1, headers: { "x-canary": "always" } } });
    for (let i = 0; i < 100; i++) load.tick(100);
    const snap = mesh.snapshot()["default/reviews"];
    expect(snap?.byVersion).toEqual({ v1: 900, v2: 100 });
    expect(sent.filter((s) => s.headers?.["x-canary"] === "always").reduce((a, s) => a + s.count, 0)).toBe(100);
    expect(() => load.start({ host: "reviews", rps: 1, maxSeconds: 1, tagged: { share: 2, headers: {} } })).toThrow(/tagged.share must be a number from 0 to 1/);
  });
});
