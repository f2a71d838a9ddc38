// infra/Dockerfile and .dockerignore: no Docker engine runs here, so the image is checked by what it
// must contain: every module the CLI and the workers import is copied and not ignored, every package
// they import is a production dependency (`npm ci --omit=dev`), tsx included, and the pod's uid.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { RUN_AS } from "../scripts/lib/k8s/objects.js";
import { workers } from "../scripts/lib/k8s/workers.js";
import { root } from "./infra-tools.test-util.js";

const dockerfile = readFileSync(join(root, "infra/Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const ignore = readFileSync(join(root, ".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/** A .dockerignore pattern as a regex over a repository-relative path (or any of its parent dirs). */
function ignored(path: string): string | undefined {
  return ignore.find((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\//g, "\u0000").replace(/\*/g, "[^/]*").replace(/\u0000/g, "(?:.*/)?")}(?:/.*)?$`);
    return re.test(path);
  });
}

/** The instructions of each named stage (`FROM … AS name`), in order. */
const stages = new Map<string, string[]>();
{
  let current: string[] = [];
  for (const l of instructions) {
    if (l.startsWith("FROM ")) {
      current = [];
      const name = /\sAS\s+(\S+)$/i.exec(l)?.[1];
      if (name !== undefined) stages.set(name, current);
    }
    current.push(l);
  }
}
const copiesOf = (lines: readonly string[]) =>
  lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from=")).flatMap((l) => l.split(/\s+/).filter((t) => !t.startsWith("--")).slice(1, -1));
/** Paths the product stage copies from the build context. */
const copied = copiesOf(stages.get("product") ?? []);

/** Every repository file reachable by static and dynamic relative imports from `entries`, and the packages imported. */
function reachable(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    // A worker still being written is not the image's concern; its main.ts is checked once it exists.
    if (files.has(file) || !existsSync(join(root, file))) continue;
    files.add(file);
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/(?:^|\s)(?:import|export)\s(?:type\s)?[^"';]*?from\s+["']([^"']+)["']|import\(\s*["'`]([^"'`]+)["'`]\s*\)|^import\s+["']([^"']+)["']/gm)) {
      if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue;
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      if (spec.startsWith("node:")) continue;
      if (!spec.startsWith(".")) {
        packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string));
        continue;
      }
      if (spec.includes("${")) continue;
      const target = relative(root, join(root, dirname(file), spec));
      const ts = target.replace(/\.js$/, ".ts");
      queue.push(existsSync(join(root, ts)) ? ts : target);
    }
  }
  return { files, packages };
}

const workerMains = workers.map((w) => `services/${w.name}/main.ts`).filter((f) => existsSync(join(root, f)));

describe("infra/Dockerfile", () => {
  it("builds on node:20-bookworm-slim, installs production dependencies with npm ci, runs as the pods' uid", () => {
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms.length).toBeGreaterThanOrEqual(1);
    for (const f of froms) expect(f).toMatch(/^FROM (?:node:20-bookworm-slim|product)\b/);
    expect(instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(instructions.filter((l) => l.startsWith("USER ")).at(-1)).toBe(`USER ${RUN_AS}:${RUN_AS}`);
    expect(instructions.filter((l) => l.startsWith("ENTRYPOINT ")).at(-1)).toBe('ENTRYPOINT ["node", "bin/siskin.mjs"]');
    expect(instructions).toContain("EXPOSE 8080");
  });

  it("copies only what exists", () => {
    for (const p of [...copied, ...copiesOf(stages.get("sim") ?? [])]) expect(existsSync(join(root, p)), p).toBe(true);
  });

  it("builds the product by default, without the simulated world; the sim target adds sim/", () => {
    expect(copied).toEqual(expect.arrayContaining(["bin", "schemas", "workflows", "services"]));
    expect(copied.some((p) => p === "sim" || p.startsWith("sim/"))).toBe(false);
    expect(instructions.filter((l) => l.startsWith("FROM ")).at(-1)).toBe("FROM product");
    expect(stages.get("sim")?.[0]).toBe("FROM product AS sim");
    expect(copiesOf(stages.get("sim") ?? [])).toEqual(["sim"]);
    expect(ignored("sim/cluster/server.ts")).toBeUndefined();
  });

  it("ships tsx as a production dependency: bin/siskin.mjs runs the TypeScript through it", () => {
    expect(readFileSync(join(root, "bin/siskin.mjs"), "utf8")).toContain("tsx");
    expect(pkg.dependencies?.tsx).toBeDefined();
    expect(pkg.devDependencies?.tsx).toBeUndefined();
  });

  it("contains every module the CLI and each worker's main.ts import, and every package they use is a production dependency", () => {
    const { files, packages } = reachable(["services/cli/main.ts", ...workerMains]);
    expect(files.size).toBeGreaterThan(20);
    for (const f of files) {
      expect(copied.some((c) => f === c || f.startsWith(`${c}/`)), `${f} is imported but not copied into the image`).toBe(true);
      expect(ignored(f), `${f} is imported but excluded by .dockerignore`).toBeUndefined();
    }
    for (const p of packages) expect(pkg.dependencies?.[p], `package ${p} is imported at run time`).toBeDefined();
  });

  it("keeps tests, fixtures, docs and infra out of the build context", () => {
    for (const p of ["test/integration/x.test.ts", "services/notifier/service.test.ts", "docs/install.md", "infra/Dockerfile", "node_modules/tsx/package.json", ".git/HEAD"]) {
      expect(ignored(p), p).toBeDefined();
    }
    const services = readdirSync(join(root, "services"), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(ignored(`services/${services[0]?.name}/main.ts`)).toBeUndefined();
  });

  it("names test support *.test-util.ts, so .dockerignore leaves it out: no shipped file is imported by tests alone", () => {
    const tracked = execFileSync("git", ["ls-files", "schemas", "workflows", "services", "sim"], { cwd: root, encoding: "utf8" })
      .split("\n")
      .filter((f) => f.endsWith(".ts"));
    const isSupport = (f: string) => /\.test(?:-util)?\.ts$/.test(f);
    const importers = new Map<string, string[]>();
    for (const f of tracked) {
      for (const m of readFileSync(join(root, f), "utf8").matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)\.js["']/g)) {
        const target = relative(root, join(root, dirname(f), `${m[1]}.ts`));
        importers.set(target, [...(importers.get(target) ?? []), f]);
      }
    }
    const misnamed = tracked.filter((f) => !isSupport(f) && !f.endsWith("/main.ts") && (importers.get(f) ?? []).length > 0 && (importers.get(f) ?? []).every(isSupport));
    expect(misnamed, "test support that ships in the image: rename it to <name>.test-util.ts").toEqual([]);
    for (const f of tracked.filter((t) => t.endsWith(".test-util.ts"))) expect(ignored(f), f).toBeDefined();
  });
});
