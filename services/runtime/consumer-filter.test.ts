import { describe, expect, it } from "vitest";
import { Command, Consumer, Event, type ConsumerName } from "../../schemas/subjects.js";
import {
  consumerFilterConfig,
  consumerOwns,
  coverFilter,
  filtersOverlap,
  serverFilters,
  subjectMatches,
  supportsMultiFilter,
  workQueueOverlaps,
} from "./consumer-filter.js";

const names = Object.keys(Consumer) as ConsumerName[];
const allSubjects = [...Object.values(Event), ...Object.values(Command)];

describe("subjectMatches", () => {
  it.each([
    ["evt.>", "evt.vm.crashed", true],
    ["evt.>", "evt", false],
    ["evt.*.*", "evt.vm.crashed", true],
    ["evt.*", "evt.vm.crashed", false],
    ["cmd.vm.*", "cmd.vm.stop", true],
    ["cmd.vm.*", "cmd.vms.stop", false],
    ["cmd.vm.stop", "cmd.vm.stop", true],
    ["cmd.vm.stop", "cmd.vm.stop.now", false],
  ])("%s ~ %s = %s", (f, s, want) => expect(subjectMatches(f, s)).toBe(want));
});

describe("filtersOverlap", () => {
  it.each([
    ["cmd.vm.*", "cmd.vm.stop", true],
    ["cmd.vm.*", "cmd.traffic.*", false],
    ["cmd.>", "cmd.vm.stop", true],
    ["a.>", "a", false],
    ["a.*", "*.b", true],
    ["a.b", "a.b.c", false],
  ])("%s / %s = %s", (a, b, want) => {
    expect(filtersOverlap(a, b)).toBe(want);
    expect(filtersOverlap(b, a)).toBe(want);
  });
});

describe("coverFilter", () => {
  it.each([
    [["cmd.vm.provision", "cmd.vm.stop"], "cmd.vm.*"],
    [["evt.release.>", "evt.approval.>"], "evt.>"],
    [["evt.vm.crashed", "evt.alert.fired"], "evt.*.*"],
    [["a.b", "a.b"], "a.b"],
    [["x.y"], "x.y"],
  ])("%j → %s", (subjects, want) => expect(coverFilter(subjects)).toBe(want));
});

describe("consumer filters per server version", () => {
  it("2.9 gets one filter_subject, 2.10 the exact list", () => {
    expect(supportsMultiFilter("2.9.10")).toBe(false);
    expect(supportsMultiFilter("2.10.0")).toBe(true);
    expect(supportsMultiFilter("3.0.1")).toBe(true);
    expect(consumerFilterConfig("vmProvisioner", "2.9.10")).toEqual({ filter_subject: "cmd.vm.*" });
    expect(consumerFilterConfig("vmProvisioner", "2.10.4")).toEqual({ filter_subjects: [Command.vmProvision, Command.vmStop, Command.vmPrune] });
    expect(consumerFilterConfig("trafficRouter", "2.9.10")).toEqual({ filter_subject: "cmd.traffic.*" });
    expect(consumerFilterConfig("trafficRouter", "2.10.4")).toEqual({ filter_subjects: [Command.trafficSetWeights, Command.trafficPrune] });
    expect(consumerFilterConfig("statusWriter", "2.10.4")).toEqual({ filter_subject: Command.statusWrite });
  });

  it.each(["2.9.10", "2.10.0"])("on %s the server filter lets every owned subject through", (version) => {
    for (const name of names) {
      for (const s of allSubjects.filter((s) => consumerOwns(name, s))) {
        expect(serverFilters(name, version).some((f) => subjectMatches(f, s))).toBe(true);
      }
    }
  });

  it.each(["2.9.10", "2.10.0"])("on %s work-queue consumers never overlap", (version) => {
    expect(workQueueOverlaps(version)).toEqual([]);
  });

  it("on 2.9 a work-queue cover lets through only subjects its consumer owns (nothing another worker needs)", () => {
    const commands = Object.values(Command);
    for (const name of names.filter((n) => Consumer[n].stream === "COMMANDS")) {
      const through = commands.filter((s) => serverFilters(name, "2.9.10").some((f) => subjectMatches(f, s)));
      expect(through.every((s) => consumerOwns(name, s))).toBe(true);
    }
  });

  it("every command has exactly one owning consumer", () => {
    for (const c of Object.values(Command)) expect(names.filter((n) => consumerOwns(n, c))).toHaveLength(1);
  });
});
