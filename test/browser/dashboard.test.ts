/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against the simulated
 * world with every worker: the releases list, a release's detail page whose charts hold data, a live
 * update without a reload, an approval refused to someone who is not an approver (the release does not
 * move), an unauthenticated action refused, and an approval by an approver that advances the release.
 * Identities come as an OIDC proxy would pass them (the world trusts loopback as its proxy).
 * Screenshots go to out/screenshots/. Bounded waits only, no sleeps.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookinfoRollout } from "../../sim/cli/demo/stories.js";
import { waitFor } from "../harness/index.js";
import { startE2eWorld, type E2eWorld } from "../e2e/world.test-util.js";
import { chromiumPath } from "./chromium.js";

const SHOTS = join(process.cwd(), "out", "screenshots");
const VERSION = "v2.0.0";
const RELEASE = `${bookinfoRollout.namespace}/${bookinfoRollout.name}/${VERSION}`;
const detailPath = `/releases/${RELEASE}`;

let w: E2eWorld;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

/** A browser context whose requests carry the OIDC proxy's identity headers (none: anonymous). */
async function as(user: { id: string; email?: string; groups?: string } | null): Promise<Page> {
  const headers: Record<string, string> = {};
  if (user !== null) {
    headers["x-auth-request-user"] = user.id;
    if (user.email !== undefined) headers["x-auth-request-email"] = user.email;
    if (user.groups !== undefined) headers["x-auth-request-groups"] = user.groups;
  }
  const ctx = await browser.newContext({ extraHTTPHeaders: headers, viewport: { width: 1360, height: 1500 } });
  contexts.push(ctx);
  return ctx.newPage();
}

async function stored(): Promise<{ state: string; audit: Array<{ event: string; actor?: { kind: string; id: string } }> }> {
  const audit = await w.audit(RELEASE);
  return { state: audit.at(-1)?.to ?? "", audit };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  w = await startE2eWorld();
  base = w.world.urls.dashboard;
  // alice approves by user id; the Slack on-call stays an approver too.
  w.patchRollout({ approvers: { users: ["U0ONCALL1", "alice"] } });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}, 90_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await w?.close();
});

describe("the dashboard in chromium", () => {
  let alice: Page;

  it("lists the release of every rollout, with its phase, step, weight and approvers, and filters them", async () => {
    const pushed = await w.ports.git.pushTag(bookinfoRollout.repository, VERSION);
    expect(pushed.status).toBe(202);
    alice = await as({ id: "alice", email: "alice@example.com" });
    await alice.goto(`${base}/`);
    const row = alice.locator(`tr[data-release="${RELEASE}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.locator("td").nth(4).textContent(), { timeout: 30_000 }).toContain("U0ONCALL1");
    expect(await row.locator("progress").getAttribute("aria-label")).toMatch(/step \d of 3/);
    await alice.getByLabel("Filter releases").fill("no-such-rollout");
    await expect.poll(() => alice.locator("#releases tbody tr").count()).toBe(0);
    await alice.getByLabel("Filter releases").fill("ratings");
    await expect.poll(() => alice.locator("#releases tbody tr").count()).toBe(1);
    await alice.screenshot({ path: join(SHOTS, "dashboard-releases.png") });
  }, 60_000);

  it("shows the release's detail and moves it live, without a reload, as the canary goes to 50 %", async () => {
    await alice.goto(`${base}${detailPath}`);
    await alice.locator("#weight").waitFor();
    await alice.evaluate(() => ((window as unknown as { loadMark: number }).loadMark = 42));
    await alice.locator('#weight[data-weight="50"]').waitFor({ timeout: 90_000 });
    expect(await alice.evaluate(() => (window as unknown as { loadMark?: number }).loadMark)).toBe(42);
    expect(await alice.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
    await expect.poll(() => alice.locator("#timeline li").count()).toBeGreaterThan(3);
  }, 120_000);

  it("draws the weight steps and canary vs stable from Prometheus, with data points", async () => {
    await alice.locator('#phase [data-phase="awaiting approval"]').waitFor({ timeout: 90_000 });
    const points = (id: string) => alice.locator(`#${id}`).getAttribute("data-points").then((p) => Number(p ?? 0));
    await expect.poll(() => points("chart-weight"), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await expect.poll(() => points("chart-error-rate"), { timeout: 30_000 }).toBeGreaterThan(10);
    await expect.poll(() => points("chart-latency-p99"), { timeout: 30_000 }).toBeGreaterThan(10);
    await expect.poll(() => alice.locator("#interval-table tbody tr").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => alice.locator("#vmi-table tbody tr").count(), { timeout: 30_000 }).toBe(2);
    expect(await alice.locator("#vmi-table").textContent()).toMatch(/\(canary\)[\s\S]*\(stable\)|\(stable\)[\s\S]*\(canary\)/);
    await alice.screenshot({ path: join(SHOTS, "dashboard-detail.png"), fullPage: true });
  }, 120_000);

  it("has labelled controls and keyboard-reachable buttons", async () => {
    const unlabelled = await alice.evaluate(() =>
      [...document.querySelectorAll("input, button, progress")].filter((el) => {
        const named = (el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || (el.tagName === "BUTTON" && el.textContent?.trim());
        return !named;
      }).length,
    );
    expect(unlabelled).toBe(0);
    await alice.locator("body").focus();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await alice.keyboard.press("Tab");
      reached = await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.action === "approve");
    }
    expect(reached).toBe(true);
  });

  it("refuses an approval by someone who is not an approver (403 with the reason), and the release stays waiting", async () => {
    const mallory = await as({ id: "mallory", email: "mallory@example.com", groups: "developers" });
    await mallory.goto(`${base}${detailPath}`);
    await mallory.locator('#phase [data-phase="awaiting approval"]').waitFor({ timeout: 30_000 });
    await mallory.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => mallory.locator("#action-msg").textContent(), { timeout: 10_000 }).toMatch(/approve refused \(HTTP 403\): mallory may not approve this release: you are not an approver; ask U0ONCALL1, alice/);
    await mallory.screenshot({ path: join(SHOTS, "dashboard-refused.png") });
    const s = await stored();
    expect(s.state).toBe("step.awaitingApproval");
    expect(s.audit.some((a) => a.event === "cmd.orchestrator.control")).toBe(false);
  }, 60_000);

  it("refuses actions without an identity (401) and browser actions without the CSRF token (403)", async () => {
    const anon = await as(null);
    await anon.goto(`${base}${detailPath}`);
    await anon.locator('#phase [data-phase="awaiting approval"]').waitFor({ timeout: 30_000 });
    await anon.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => anon.locator("#action-msg").textContent(), { timeout: 10_000 }).toMatch(/approve refused \(HTTP 401\): sign in to approve/);
    const forged = await anon.request.post(`${base}/api/v1/releases/${RELEASE}/actions`, { data: { action: "approve", actor: { kind: "dashboard", id: "alice" } } });
    expect(forged.status()).toBe(400);
    const noCsrf = await alice.request.post(`${base}/api/v1/releases/${RELEASE}/actions`, { data: { action: "approve" } });
    expect(noCsrf.status()).toBe(403);
    expect(((await noCsrf.json()) as { error: string }).error).toMatch(/CSRF/);
    expect((await stored()).state).toBe("step.awaitingApproval");
  }, 60_000);

  it("an approver's approval advances the release to 100 % and promotion, with alice in the audit", async () => {
    await alice.getByLabel("Reason (recorded in the audit)").fill("checked the canary's charts");
    await alice.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => alice.locator("#action-msg").textContent(), { timeout: 10_000 }).toMatch(/approve sent/);
    await alice.locator('#phase [data-phase="promoted"]').waitFor({ timeout: 90_000 });
    expect(await alice.locator("#weight").getAttribute("data-weight")).toBe("100");
    const s = await stored();
    const approval = s.audit.find((a) => a.event === "cmd.orchestrator.control");
    expect(approval).toMatchObject({ actor: { kind: "dashboard", id: "alice" } });
    await expect.poll(() => alice.locator("#timeline").textContent()).toContain("by dashboard:alice");
    await alice.screenshot({ path: join(SHOTS, "dashboard-promoted.png"), fullPage: true });
    const row = await waitFor(async () => {
      const r = await fetch(`${base}/api/v1/releases`);
      const body = (await r.json()) as { releases: Array<{ releaseId: string; outcome: string | null }> };
      return body.releases.find((x) => x.releaseId === RELEASE && x.outcome === "promoted");
    }, { timeoutMs: 10_000, what: "the promoted release in the list" });
    expect(row.outcome).toBe("promoted");
  }, 120_000);
});
