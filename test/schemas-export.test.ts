import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderExports } from "../scripts/lib/exports.js";

const root = join(import.meta.dirname, "..");

describe("exported schemas", () => {
  const files = Object.entries(renderExports());
  it.each(files.map(([p]) => [p]))("%s is up to date (run `npm run schemas:export`)", (path) => {
    const full = join(root, path);
    expect(existsSync(full), `${path} is missing: run npm run schemas:export`).toBe(true);
    expect(readFileSync(full, "utf8")).toBe(Object.fromEntries(files)[path]);
  });
});
