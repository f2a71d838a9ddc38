import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CommanderError } from "commander";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../main.js";
import { runRoutePlan, type RoutePlanOptions } from "./route-plan.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const fx = (rel: string) => `${repo}test/fixtures/upstream/${rel}`;
const readFile = (path: string) => readFileSync(path, "utf8");
const run = (opts: RoutePlanOptions, reader: (p: string) => string = readFile) => runRoutePlan(opts, reader);

type Dest = { destination: { host: string; subset?: string }; weight?: number };
type Vs = { metadata: { name: string }; spec: Record<string, Array<{ name?: string; route: Dest[] }>> };
const weights = (stdout: string, kind = "http", i = 0) =>
  (YAML.parse(stdout) as Vs).spec[kind]?.[i]?.route.map((d) => [d.destination.subset ?? d.destination.host, d.weight]);

const bookinfo8020 = { vs: fx("istio/bookinfo-vs-reviews-80-20.yaml"), stable: "v1", canary: "v2" };

describe("runRoutePlan: planned VirtualService on stdout, exit 0", () => {
  it("bookinfo reviews 80/20 → 50/50, subsets checked against the DestinationRule", () => {
    const out = run({ ...bookinfo8020, weight: "50", dr: fx("istio/bookinfo-dr-all.yaml") });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(weights(out.stdout)).toEqual([["v1", 50], ["v2", 50]]);
    expect(out.stdout).toContain("# siskin route plan: VirtualService reviews, canary 50%");
    expect(out.stdout).toContain("# Source: github.com/istio/istio"); // the file's own comments survive
  });

  it("says when nothing changes", () => {
    const out = run({ ...bookinfo8020, weight: "20" });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("(already in place: no change)");
    expect(weights(out.stdout)).toEqual([["v1", 80], ["v2", 20]]);
  });

  it("appends a new version's subset to a single-destination route (all-v1 → 90/10)", () => {
    const out = run({ vs: fx("istio/bookinfo-vs-all-v1.yaml"), name: "reviews", stable: "v1", canary: "v2", weight: "10" });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(weights(out.stdout)).toEqual([["v1", 90], ["v2", 10]]);
    expect((YAML.parse(out.stdout) as Vs).spec["http"]?.[0]?.route[1]?.destination).toEqual({ host: "reviews", subset: "v2" });
  });

  it("picks a VirtualService by --name in a multi-document file, and by namespace/name", () => {
    const out = run({ vs: fx("argo-rollouts/e2e-istio-subset-split.yaml"), name: "istio-subset-split-vsvc", stable: "stable", canary: "canary", weight: "10", routes: ["primary"], dr: fx("argo-rollouts/e2e-istio-subset-split.yaml") });
    expect(out.code).toBe(0);
    expect(weights(out.stdout)).toEqual([["stable", 90], ["canary", 10]]);
    const ns = run({ vs: fx("istio/analyzer-vs-destinationhosts.yaml"), name: "hello1/hello", stable: "v1", canary: "v2", weight: "10" });
    expect(ns.stderr).toContain("spec.http[0] of VirtualService hello1/hello has no stable destination");
  });

  it("--by host with http and tls routes (argo e2e host split)", () => {
    const out = run({ vs: fx("argo-rollouts/e2e-istio-host-http-tls-split.yaml"), by: "host", stable: "istio-host-split-stable", canary: "istio-host-split-canary", weight: "30", routes: ["primary"], tlsPort: "3000", sni: ["istio-host-split"] });
    expect(out.code).toBe(0);
    expect(weights(out.stdout, "http")).toEqual([["istio-host-split-stable", 70], ["istio-host-split-canary", 30]]);
    expect(weights(out.stdout, "tls")).toEqual([["istio-host-split-stable", 70], ["istio-host-split-canary", 30]]);
  });

  it("tcp routes by --tcp-port (tcp-echo)", () => {
    const out = run({ vs: fx("istio/tcp-echo-vs-20-v2.yaml"), stable: "v1", canary: "v2", weight: "100", tcpPort: ["31400"] });
    expect(weights(out.stdout, "tcp")).toEqual([["v1", 0], ["v2", 100]]);
  });

  it("--output patch prints the guarded RFC 6902 patch", () => {
    const out = run({ ...bookinfo8020, weight: "25", output: "patch" });
    expect(JSON.parse(out.stdout)).toEqual([
      { op: "test", path: "/spec/http/0/route/0/destination", value: { host: "reviews", subset: "v1" } },
      { op: "test", path: "/spec/http/0/route/0/weight", value: 80 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 75 },
      { op: "test", path: "/spec/http/0/route/1/destination", value: { host: "reviews", subset: "v2" } },
      { op: "test", path: "/spec/http/0/route/1/weight", value: 20 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 25 },
    ]);
  });
});

describe("runRoutePlan: errors on stderr, exit 2", () => {
  it.each<[string, RoutePlanOptions, string[]]>([
    ["weight not a number", { ...bookinfo8020, weight: "abc" }, ['--weight must be an integer 0..100, got "abc"']],
    ["weight above 100", { ...bookinfo8020, weight: "101" }, ["--weight must be an integer 0..100"]],
    ["weight negative", { ...bookinfo8020, weight: "-5" }, ["--weight must be an integer 0..100"]],
    ["weight fractional", { ...bookinfo8020, weight: "10.5" }, ["--weight must be an integer 0..100"]],
    ["missing --stable and --weight", { vs: bookinfo8020.vs, canary: "v2" }, ["--stable NAME is required", "--weight N is required"]],
    ["unknown --by", { ...bookinfo8020, weight: "5", by: "pod" }, ['--by must be "subset" or "host"']],
    ["bad --tls-port", { ...bookinfo8020, weight: "5", tlsPort: "0" }, ["--tls-port must be a port 1..65535"]],
    ["--dr with --by host", { ...bookinfo8020, weight: "5", by: "host", dr: "x.yaml" }, ["--dr only applies to --by subset"]],
    ["several VirtualServices, no --name", { vs: fx("istio/bookinfo-vs-all-v1.yaml"), stable: "v1", canary: "v2", weight: "10" }, ["holds 4 VirtualServices (productpage, reviews, ratings, details); choose one with --name"]],
    ["unknown --name", { vs: fx("istio/bookinfo-vs-all-v1.yaml"), name: "nope", stable: "v1", canary: "v2", weight: "10" }, ['no VirtualService named "nope"', "reviews"]],
    ["same name in three namespaces", { vs: fx("istio/analyzer-vs-destinationhosts.yaml"), name: "hello", stable: "v1", canary: "v2", weight: "10" }, ["matches 3 VirtualServices", "NAMESPACE/NAME"]],
    ["single-destination route split by host", { vs: fx("istio/bookinfo-vs-all-v1.yaml"), name: "reviews", by: "host", stable: "reviews", canary: "reviews-canary", weight: "10" }, ["SISKIN_ERR_DESTINATION_MISSING", "VirtualService reviews", "{host: reviews-canary}"]],
    ["two unnamed routes", { vs: fx("istio/bookinfo-vs-reviews-jason-v2-v3.yaml"), stable: "v3", canary: "v2", weight: "10" }, ["SISKIN_ERR_AMBIGUOUS_ROUTE", "--routes"]],
    ["three destinations", { vs: fx("argo-rollouts/vsvc-three-destinations-invalid-for-rollouts.yaml"), stable: "stable", canary: "canary", weight: "10" }, ["SISKIN_ERR_UNKNOWN_DESTINATION", "example-service"]],
    ["subset missing in DestinationRule", { vs: fx("istio/bookinfo-vs-reviews-50-v3.yaml"), stable: "v1", canary: "v3", weight: "10", dr: fx("istio/analyzer-vs-destinationrules-mirror.yaml") }, ["SISKIN_ERR_SUBSET_NOT_IN_DR", 'subset "v3"', "DestinationRule default/reviews"]],
    ["no DestinationRule for the host", { ...bookinfo8020, weight: "10", dr: fx("flagger/faq-generated-dr-frontend-primary-canary.yaml") }, ["SISKIN_ERR_SUBSET_NOT_IN_DR", 'no DestinationRule for host "reviews"', "frontend-primary"]],
    ["unreadable file", { ...bookinfo8020, vs: "/nonexistent/vs.yaml", weight: "10" }, ["cannot read --vs /nonexistent/vs.yaml", "ENOENT"]],
  ])("%s", (_t, opts, mentions) => {
    const out = run(opts);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    for (const m of mentions) expect(out.stderr).toContain(m);
  });

  it("invalid YAML", () => {
    const out = run({ ...bookinfo8020, weight: "10" }, () => "spec: [unclosed\n");
    expect(out).toMatchObject({ code: 2 });
    expect(out.stderr).toContain("is not valid YAML");
  });
});

describe("siskin route plan through commander", () => {
  it("throws a CommanderError with exit code 2 for a plan error (main.ts turns it into the exit code)", async () => {
    const program = await buildProgram();
    const args = ["node", "siskin", "route", "plan", "--vs", fx("istio/bookinfo-vs-all-v1.yaml"), "--name", "reviews", "--by", "host", "--stable", "reviews", "--canary", "reviews-canary", "--weight", "10"];
    const err: unknown = await program.parseAsync(args).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect(err).toMatchObject({ exitCode: 2, message: expect.stringContaining("SISKIN_ERR_DESTINATION_MISSING") });
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [`${repo}node_modules/tsx/dist/cli.mjs`, `${repo}services/cli/main.ts`, "route", "plan", ...args], { cwd: repo, encoding: "utf8", timeout: 20_000 });

  it("real CLI: exit 0 with the planned YAML on stdout", () => {
    const res = cli("--vs", fx("argo-rollouts/vsvc-two-named-http-routes.yaml"), "--by", "host", "--stable", "stable", "--canary", "canary", "--weight", "10", "--routes", "primary");
    expect(res.status).toBe(0);
    expect(weights(res.stdout, "http", 0)).toEqual([["stable", 90], ["canary", 10]]);
    expect(weights(res.stdout, "http", 1)).toEqual([["stable", 100], ["canary", 0]]);
  });

  it("real CLI: exit 2 with the error on stderr, for plan errors and for bad flags", () => {
    const planErr = cli("--vs", fx("istio/bookinfo-vs-reviews-jason-v2-v3.yaml"), "--stable", "v3", "--canary", "v2", "--weight", "10");
    expect(planErr.status).toBe(2);
    expect(planErr.stdout).toBe("");
    expect(planErr.stderr).toContain("siskin: route plan: SISKIN_ERR_AMBIGUOUS_ROUTE: VirtualService reviews has 2 http routes");
    const flagErr = cli("--vs", fx("istio/bookinfo-vs-reviews-80-20.yaml"), "--canary", "v2", "--weight", "x", "--bogus");
    expect(flagErr.status).toBe(2);
    expect(flagErr.stderr).toContain("unknown option '--bogus'");
  });
});

describe("runRoutePlan: mirror and matched steps", () => {
  type Route = { name?: string; match?: unknown; mirror?: unknown; mirrorPercentage?: unknown; route: Dest[] };
  const http = (stdout: string) => (YAML.parse(stdout) as { spec: { http: Route[] } }).spec.http;

  it("--mirror 100 on bookinfo reviews: mirror to subset v2, weight stays 0, checked against the DestinationRule", () => {
    const out = run({ vs: fx("istio/bookinfo-vs-all-v1.yaml"), name: "reviews", dr: fx("istio/bookinfo-dr-all.yaml"), stable: "v1", canary: "v2", mirror: "100" });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(out.stdout).toContain("mirror 100% to the canary, canary weight 0%");
    expect(http(out.stdout)[0]).toEqual({ route: [{ destination: { host: "reviews", subset: "v1" } }], mirror: { host: "reviews", subset: "v2" }, mirrorPercentage: { value: 100 } });
  });

  it("--match-header and --match-cookie on Argo's header-route VS insert siskin-canary-primary ahead of primary", () => {
    const out = run({ vs: fx("argo-rollouts/vsvc-header-managed-user-routes.yaml"), by: "host", stable: "stable", canary: "canary", routes: ["primary"], matchHeader: ["x-canary=always", "x-version^=v2"], matchCookie: ["beta=true"] });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    const routes = http(out.stdout);
    expect(routes.map((r) => r.name)).toEqual(["test-header-1", "test-header-2", "managed-route-1", "siskin-canary-primary", "primary", "user-defined-route"]);
    expect(routes[3]?.match).toEqual([
      { headers: { "x-canary": { exact: "always" } } },
      { headers: { "x-version": { prefix: "v2" } } },
      { headers: { cookie: { regex: "^(.*?; ?)?(beta=true)(;.*)?$" } } },
    ]);
    expect(out.stdout).toContain("# Source: github.com/argoproj"); // comments survive the insert
  });

  it("a VirtualService that already mirrors elsewhere: SISKIN_ERR_MIRROR_CONFLICT, exit 2", () => {
    const out = run({ vs: fx("istio/analyzer-vs-destinationrules-mirror.yaml"), name: "reviews-mirror", stable: "v1", canary: "v2", mirror: "100" });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("SISKIN_ERR_MIRROR_CONFLICT");
  });

  it.each([
    [{ mirror: "0" }, "--mirror must be a percentage above 0 and at most 100"],
    [{ mirror: "50", weight: "10" }, "a mirror or matched step gives the canary no user traffic; drop --weight"],
    [{ mirror: "50", matchHeader: ["x-a=1"] }, "two different steps"],
    [{ matchHeader: ["x-a"] }, "--match-header must be NAME=VALUE"],
    [{ matchCookie: ["beta"] }, "--match-cookie must be NAME=VALUE"],
  ])("bad step flags %j exit 2", (flags, message) => {
    const out = run({ ...bookinfo8020, ...flags });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
  });
});

