import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderExports, STATECHART_DOC, withStatechart } from "../scripts/lib/exports.js";
import { statechartMermaid } from "../workflows/canary/diagram.js";

const root = join(import.meta.dirname, "..");

describe("exported schemas", () => {
  const files = Object.entries(renderExports());
  it.each(files.map(([p]) => [p]))("%s is up to date (run `npm run schemas:export`)", (path) => {
    const full = join(root, path);
    expect(existsSync(full), `${path} is missing: run npm run schemas:export`).toBe(true);
    expect(readFileSync(full, "utf8")).toBe(Object.fromEntries(files)[path]);
  });
});

describe("the statechart picture", () => {
  const doc = readFileSync(join(root, STATECHART_DOC), "utf8");

  it("is in the decision record, generated from the machine", () => {
    expect(doc).toContain(`\`\`\`mermaid\n${statechartMermaid()}\`\`\``);
    expect(statechartMermaid()).toMatch(/^stateDiagram-v2\n/);
    expect(statechartMermaid()).toContain("rollingBack --> rolledBack : always [rollbackConfirmed]");
  });

  it("is stale (and the export test above fails) when the chart changes without it", () => {
    const arrow = "rollingBack --> rolledBack : always [rollbackConfirmed]\n";
    const stale = doc.replace(arrow, "");
    expect(stale).not.toBe(doc);
    expect(withStatechart(stale)).toBe(doc);
    // Regenerating a current doc changes nothing.
    expect(withStatechart(doc)).toBe(doc);
  });
});
