import { describe, expect, it } from "vitest";
import { palette, stripAnsi, truncate, visibleWidth } from "./color.js";
import { actorLabel, formatAge, formatClock, formatDuration, formatTime, num, verdictMark, weightBar } from "./format.js";
import { renderTable } from "./table.js";

describe("formatters", () => {
  it.each([
    [0, "0s"], [42_000, "42s"], [60_000, "1m"], [59 * 60_000, "59m"], [3600_000, "1h"], [3 * 3600_000 + 12 * 60_000, "3h12m"],
    [48 * 3600_000, "2d"], [52 * 3600_000, "2d4h"], [-5000, "0s"],
  ])("age %d ms → %s", (ms, text) => expect(formatAge(ms)).toBe(text));

  it.each([[12_000, "12s"], [250_000, "4m 10s"], [300_000, "5m"], [3_720_000, "1h 2m"]])("duration %d → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it("times are UTC to the second", () => {
    const t = Date.parse("2026-03-01T12:00:05.678Z");
    expect(formatTime(t)).toBe("2026-03-01 12:00:05Z");
    expect(formatClock(t)).toBe("12:00:05Z");
  });

  it.each([
    [0, 8, "[░░░░░░░░]   0%"],
    [50, 8, "[████░░░░]  50%"],
    [10, 10, "[█░░░░░░░░░]  10%"],
    [100, 8, "[████████] 100%"],
    [33, 20, "[███████░░░░░░░░░░░░░]  33%"],
    [140, 4, "[████] 100%"],
  ])("weight bar %d%% in %d cells", (w, width, bar) => expect(weightBar(w, width)).toBe(bar));

  it("colors only when enabled, and colored text keeps its visible width", () => {
    const bar = weightBar(50, 8, palette(true));
    expect(bar).toContain("\x1b[36m");
    expect(stripAnsi(bar)).toBe("[████░░░░]  50%");
    expect(visibleWidth(bar)).toBe(15);
    expect(weightBar(50, 8, palette(false))).toBe("[████░░░░]  50%");
  });

  it("truncates by visible width with an ellipsis", () => {
    expect(truncate("abcdefghij", 5)).toBe("abcd…");
    expect(truncate("abc", 5)).toBe("abc");
    expect(stripAnsi(truncate(palette(true).red("abcdefghij"), 5))).toBe("abcd…");
  });

  it("labels actors and marks verdicts", () => {
    expect(actorLabel({ kind: "slack", id: "U1", name: "ana" })).toBe("slack:ana");
    expect(actorLabel({ kind: "cli", id: "alice" })).toBe("cli:alice");
    expect(actorLabel(null)).toBe("-");
    expect(["pass", "fail", "inconclusive", "error"].map((v) => verdictMark(v))).toEqual(["✓", "✗", "?", "!"]);
    expect([1, 0.1 + 0.2, 1234.56, 412].map(num)).toEqual(["1", "0.3", "1235", "412"]);
  });
});

describe("renderTable", () => {
  it("pads columns to the widest cell, ignoring color codes, without trailing spaces", () => {
    const p = palette(true);
    const out = renderTable(["A", "LONG HEADER", "Z"], [["xx", p.red("y"), "last column is free"], ["x", "yyy", ""]]);
    expect(stripAnsi(out)).toBe(["A   LONG HEADER  Z", "xx  y            last column is free", "x   yyy"].join("\n") + "\n");
  });
});
