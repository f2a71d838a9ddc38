/**
 * Dependency rules, checked on the import lines of every .ts file (see /work/shared/STYLE.md):
 * schemas/ imports nothing of ours outside schemas/; workflows/ imports only schemas/ and workflows/;
 * pure files use no NATS, Kubernetes client, pino or fetch; services do not import each other
 * (except services/runtime; services/cli, the composition root, may import any service).
 * The simulated world (sim/) stands beside the product: the product never imports sim/ (a test may, to
 * stand a simulator in for a real API), and sim/ never imports a worker; it reaches the workers only
 * through the CLI's composition root (services/cli), as a person running `siskin serve` would.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "coverage"]);

interface SourceFile {
  /** Repo-relative, `/`-separated. */
  path: string;
  text: string;
}
interface ImportLine {
  spec: string;
  line: number;
}

function listTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || name.startsWith(".")) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listTs(full, out);
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

const lineAt = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** Every module specifier of `import … from`, `export … from`, bare `import "x"` and `import("x")`. */
export function importsOf(text: string): ImportLine[] {
  const out: ImportLine[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*(["'])([^"']+)\1/gm,
    /^\s*import\s*(["'])([^"']+)\1/gm,
    /\bimport\s*\(\s*(["'])([^"']+)\1\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const spec = m[2] as string;
      out.push({ spec, line: lineAt(text, (m.index ?? 0) + m[0].lastIndexOf(spec)) });
    }
  }
  return out;
}

function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .split("\n")
    .map((l) => l.replace(/(^|[^:"'`])\/\/.*$/, "$1"))
    .join("\n");
}

const FORBIDDEN_IN_PURE = [/^@nats-io\//, /^@kubernetes\/client-node$/, /^pino$/];

/** Pure files: services/<svc>/…/plan.ts, evaluate.ts, service.ts, and everything under workflows/. */
export function isPure(path: string): boolean {
  if (path.startsWith("workflows/")) return true;
  return /^services\/[^/]+\/(?:.*\/)?(?:plan|evaluate|service)\.ts$/.test(path);
}

const serviceOf = (path: string) => /^services\/([^/]+)\//.exec(path)?.[1];

/** Test support: tests and their helpers, which never ship. */
export const isTestSupport = (path: string) => path.startsWith("test/") || /\.test(?:-util)?\.ts$/.test(path);

/** The product: what the image ships (schemas/, workflows/, services/), less test support. */
export const isProduct = (path: string) => /^(?:schemas|workflows|services)\//.test(path) && !isTestSupport(path);

/** The violations of the dependency rules in `files`, as `path:line: problem`. */
export function checkArchitecture(files: readonly SourceFile[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const from = f.path;
    const svc = serviceOf(from);
    for (const imp of importsOf(f.text)) {
      const where = `${from}:${imp.line}`;
      const ours = imp.spec.startsWith(".");
      const target = ours ? relative(ROOT, resolve(ROOT, dirname(from), imp.spec)).split(sep).join("/") : undefined;
      if (target !== undefined && target.startsWith("..")) bad.push(`${where}: imports "${imp.spec}" outside the repository`);
      if (from.startsWith("schemas/") && target !== undefined && !target.startsWith("schemas/")) {
        bad.push(`${where}: schemas/ may import nothing of ours outside schemas/, but imports "${imp.spec}" (${target})`);
      }
      if (from.startsWith("workflows/") && target !== undefined && !target.startsWith("schemas/") && !target.startsWith("workflows/")) {
        bad.push(`${where}: workflows/ may import only schemas/, but imports "${imp.spec}" (${target})`);
      }
      if (isPure(from) && FORBIDDEN_IN_PURE.some((re) => re.test(imp.spec))) {
        bad.push(`${where}: pure file imports "${imp.spec}"; move the I/O behind a port`);
      }
      if (isProduct(from) && target !== undefined && target.startsWith("sim/")) {
        bad.push(`${where}: the product imports the simulated world ("${imp.spec}"); sim/ stands beside the product, never inside it`);
      }
      const other = target === undefined ? undefined : serviceOf(target);
      if (from.startsWith("sim/") && other !== undefined && other !== "runtime" && other !== "cli") {
        bad.push(`${where}: sim/ imports worker ${other} ("${imp.spec}"); start workers through the CLI (services/cli), never import one`);
      }
      const allowed = other === svc || other === "runtime" || svc === "cli";
      if (svc !== undefined && other !== undefined && !allowed) {
        bad.push(`${where}: service ${svc} imports service ${other} ("${imp.spec}"); talk over NATS or move shared code to schemas/ or services/runtime/`);
      }
    }
    if (isPure(from)) {
      stripComments(f.text)
        .split("\n")
        .forEach((l, i) => {
          if (/\bfetch\s*\(/.test(l)) bad.push(`${from}:${i + 1}: pure file calls fetch(); move the I/O behind a port`);
        });
    }
  }
  return bad;
}

describe("architecture", () => {
  it("keeps the simulated world out of services/: no services/sim-*, and sim/ holds cluster, mesh, slack, git and world", () => {
    expect(readdirSync(join(ROOT, "services")).filter((d) => d.startsWith("sim"))).toEqual([]);
    const sim = readdirSync(join(ROOT, "sim"));
    for (const d of ["cluster", "mesh", "slack", "git", "world"]) expect(sim).toContain(d);
  });

  it("every worker starts through the runtime's startWorker (one order, one cleanup path, one drain)", () => {
    const workers = readdirSync(join(ROOT, "services")).filter((d) => d !== "runtime" && d !== "cli" && statSync(join(ROOT, "services", d)).isDirectory());
    expect(workers.length).toBeGreaterThanOrEqual(10);
    for (const w of workers) {
      const main = readFileSync(join(ROOT, "services", w, "main.ts"), "utf8");
      expect(main, `services/${w}/main.ts`).toMatch(/\bstartWorker\(/);
      for (const own of ["connectNats(", "startHealthServer(", "startConsumer(", "new PromRegistry(", "onShutdown("]) {
        expect(main.includes(own), `services/${w}/main.ts calls ${own} itself; startWorker() opens and releases it`).toBe(false);
      }
    }
  });

  it("the repository keeps the dependency rules", () => {
    const files = ["schemas", "workflows", "services", "sim", "test", "scripts", "bench"]
      .map((d) => join(ROOT, d))
      .filter((d) => {
        try {
          return statSync(d).isDirectory();
        } catch {
          return false;
        }
      })
      .flatMap((d) => listTs(d))
      .map((full) => ({ path: relative(ROOT, full).split(sep).join("/"), text: readFileSync(full, "utf8") }))
      // This file's table spells violations on purpose.
      .filter((f) => f.path !== "test/architecture.test.ts");
    expect(files.length).toBeGreaterThan(10);
    const bad = checkArchitecture(files);
    if (bad.length > 0) console.error(`dependency rule violations:\n${bad.join("\n")}`);
    expect(bad).toEqual([]);
  });

  it.each([
    ["schemas/x.ts", 'import { a } from "../services/runtime/index.js";', /schemas\/x.ts:1: schemas\/ may import nothing/],
    ["workflows/canary/m.ts", 'import type { L } from "../../services/runtime/logger.js";', /workflows\/ may import only schemas/],
    ["workflows/canary/m.ts", 'import { x } from "../../schemas/index.js";\nimport { y } from "./steps.js";', null],
    ["workflows/j.ts", "const a = 1;\nconst r = await fetch(url);", /workflows\/j.ts:2: pure file calls fetch/],
    ["workflows/j.ts", "// we never fetch(here)\n/* nor fetch(x) */", null],
    ["services/traffic-router/plan.ts", 'import {\n  connect,\n} from "@nats-io/transport-node";', /plan.ts:3: pure file imports "@nats-io\/transport-node"/],
    ["services/a/service.ts", 'import { pino } from "pino";', /pure file imports "pino"/],
    ["services/a/sub/evaluate.ts", 'import * as k from "@kubernetes/client-node";', /pure file imports/],
    ["services/a/adapter.ts", 'import { pino } from "pino";', null],
    ["services/notifier/main.ts", 'import { x } from "../traffic-router/plan.js";', /service notifier imports service traffic-router/],
    ["services/notifier/main.ts", 'export { x } from "../runtime/index.js";', null],
    ["services/cli/commands/a.ts", 'const m = await import("../../orchestrator/store.js");', null],
    ["sim/mesh/a.ts", 'import { c } from "../cluster/api.js";', null],
    ["sim/mesh/a.ts", 'import { n } from "../../services/runtime/nats.js";', null],
    ["sim/mesh/a.ts", 'import "../../services/orchestrator/side-effect.js";', /sim\/ imports worker orchestrator/],
    ["sim/cli/commands/demo.ts", 'import { startWorkers } from "../../../services/cli/commands/serve.js";', null],
    ["services/approval-gateway/slack.test.ts", 'import { s } from "../../sim/slack/server.js";', null],
    ["services/approval-gateway/slack.test-util.ts", 'import { s } from "../../sim/slack/server.js";', null],
    ["services/approval-gateway/slack.ts", 'import { s } from "../../sim/slack/server.js";', /the product imports the simulated world/],
    ["services/cli/commands/index.ts", 'const m = await import("../../../sim/cli/commands/demo.js");', /the product imports the simulated world/],
    ["workflows/canary/x.ts", 'import { w } from "../../sim/world/index.js";', /the product imports the simulated world/],
    ["test/e2e/x.test.ts", 'import { w } from "../../sim/world/index.js";', null],
  ])("the checker judges %s", (path, text, want) => {
    const bad = checkArchitecture([{ path, text }]);
    if (want === null) expect(bad).toEqual([]);
    else expect(bad.join("\n")).toMatch(want);
  });
});
