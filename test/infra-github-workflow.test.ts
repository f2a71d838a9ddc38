// docs/examples/github-actions-release.yml: the step's script, run by bash with the env GitHub would
// give it, against release-trigger's real HTTP app on 127.0.0.1, asks for exactly one release (a
// re-run of the job is recognized as the same request).
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { Command } from "../schemas/subjects.js";
import { fakePublisher, fakeRollouts } from "../services/release-trigger/fakes.test-util.js";
import { buildApp } from "../services/release-trigger/http.js";
import { createService } from "../services/release-trigger/service.js";
import { one, parseDocs, root, run } from "./infra-tools.test-util.js";

const workflow = YAML.parse(readFileSync(join(root, "docs/examples/github-actions-release.yml"), "utf8"));
const sample = one(parseDocs(readFileSync(join(root, "infra/k8s/samples/bookinfo-ratings/vmrollout.yaml"), "utf8")), "VMRollout", "ratings");
const token = "test-api-token-0123456789abcdef";
const publisher = fakePublisher();
let app: ReturnType<typeof buildApp>;
let url: string;

beforeAll(async () => {
  let n = 0;
  const service = createService({
    rollouts: fakeRollouts([{ namespace: "bookinfo", name: "ratings", spec: sample.spec, generation: 1 }]),
    publisher,
    newId: () => `id-${++n}`,
  });
  app = buildApp({ service, githubSecret: "unused-github-secret", apiToken: token });
  await app.listen({ host: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
});

const step = () => (workflow.jobs.release.steps as Array<{ run?: string; env?: Record<string, string> }>).find((s) => s.run !== undefined);

function runStep(env: Record<string, string>) {
  const s = step();
  if (s?.run === undefined) throw new Error("the workflow has no run step");
  return run("bash", ["-c", s.run], {
    env: { PATH: process.env.PATH ?? "", SISKIN_URL: url, SISKIN_ROLLOUT: "bookinfo/ratings", SISKIN_API_TOKEN: token, COMMIT: "0123456789abcdef0123456789abcdef01234567", ACTOR: "octocat", ...env },
    timeoutMs: 30_000,
  });
}

describe("GitHub Actions release workflow example", () => {
  it("runs on a version tag push, with read-only contents permission and the token from secrets", () => {
    expect(workflow.on).toEqual({ push: { tags: ["v*"] } });
    expect(workflow.permissions).toEqual({ contents: "read" });
    const env = step()?.env ?? {};
    expect(env.SISKIN_API_TOKEN).toBe("${{ secrets.SISKIN_API_TOKEN }}");
    expect(env.TAG).toBe("${{ github.ref_name }}");
  });

  it("asks release-trigger's API for the tag's release, once", async () => {
    const first = await runStep({ TAG: "v2.0.0" });
    expect(first.code, first.stderr).toBe(0);
    expect(publisher.sent).toHaveLength(1);
    const sent = publisher.sent[0];
    expect(sent?.subject).toBe(Command.orchestratorRelease);
    expect(sent?.msg.data).toMatchObject({ rollout: { namespace: "bookinfo", name: "ratings" }, version: "v2.0.0", tag: "v2.0.0", requestedBy: { kind: "api", id: "github-actions:octocat" } });

    // A re-run of the same job (same tag) is the same request.
    const again = await runStep({ TAG: "v2.0.0" });
    expect(again.code, again.stderr).toBe(0);
    expect(publisher.sent).toHaveLength(1);
  });

  it("fails the job when the token is wrong", async () => {
    const r = await runStep({ TAG: "v2.0.1", SISKIN_API_TOKEN: "wrong-token-0123456789abcdef" });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/401|bearer/i);
  });
});
