// The release script: seeded, every kind present when there is room, versions counting up per service.
import { describe, expect, it } from "vitest";
import { buildScript, kindsOf, ReleaseKind } from "./script.js";

describe("buildScript", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = buildScript({ seed: 3, releases: 30, services: 6 });
    expect(buildScript({ seed: 3, releases: 30, services: 6 })).toEqual(a);
    expect(buildScript({ seed: 4, releases: 30, services: 6 }).map((r) => r.kind)).not.toEqual(a.map((r) => r.kind));
  });

  it.each([
    [30, 6],
    [200, 20],
    [9, 3],
  ])("%i releases over %i services: every kind, exact count, unique ids, versions counting up", (releases, services) => {
    const s = buildScript({ seed: 17, releases, services });
    expect(s).toHaveLength(releases);
    expect(new Set(s.map((r) => r.releaseId)).size).toBe(releases);
    expect(new Set(s.map((r) => r.service)).size).toBe(services);
    const kinds = kindsOf(s);
    for (const k of ReleaseKind) expect(kinds[k], k).toBeGreaterThan(0);
    for (const svc of new Set(s.map((r) => r.service))) {
      const minors = s.filter((r) => r.service === svc).map((r) => Number(r.version.split(".")[1]));
      expect(minors).toEqual(minors.map((_, i) => i + 1));
    }
  });

  it("pairs each superseded release with the newer healthy one that supersedes it", () => {
    const s = buildScript({ seed: 17, releases: 30, services: 6 });
    for (const r of s.filter((x) => x.kind === "superseded")) {
      const newer = s.find((x) => x.service === r.service && x.version === r.supersededBy);
      expect(newer).toMatchObject({ kind: "healthy", expect: "promoted", supersedes: r.version });
      expect(r.expect).toBe("superseded");
    }
  });
});
