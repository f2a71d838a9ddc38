/**
 * Benchmark 6, the dashboard with many releases in flight: the releases list's server response time
 * with `releases` releases stored (default 200), and the SSE fan-out to `clients` browsers (default
 * 50): from one `evt.release.progressed` published to JetStream to the `release` event arriving at
 * each client, through the dashboard's one NATS subscription and its KV re-read. The dashboard is the
 * real worker (`main`) on a real nats-server; clients are HTTP streams in this process.
 * Params: `releases`, `clients`, `requests`, `rounds`.
 */
import { message } from "../schemas/codec.js";
import { Event } from "../schemas/subjects.js";
import { hashToken } from "../services/dashboard/auth.js";
import { main as dashboardMain } from "../services/dashboard/main.js";
import { createPublisher } from "../services/runtime/publish.js";
import { waitFor } from "../sim/world/servers.js";
import { cleanups, startBenchNats } from "./lib/env.js";
import { figuresTable } from "./lib/report.js";
import { seedReleases } from "./lib/seed.js";
import { since, summarize } from "./lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure } from "./lib/types.js";

const TOKEN = "bench-dashboard-token-0123456789";

/** An SSE client that records when each `release` event for `watch()`ed ids arrives. */
async function sseClient(url: string, signal: AbortSignal, onRelease: (releaseId: string) => void): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal });
  if (!res.ok || res.body === null) throw new Error(`SSE answered HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!frame.startsWith("event: release\n")) continue;
          const m = /"releaseId":"([^"]+)"/.exec(frame);
          if (m !== null) onRelease(m[1] as string);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

/** Run the benchmark. */
export async function runDashboard(ctx: BenchContext): Promise<BenchOutput> {
  const releases = (ctx.params["releases"] as number | undefined) ?? 200;
  const clients = (ctx.params["clients"] as number | undefined) ?? (ctx.quick ? 10 : 50);
  const requests = (ctx.params["requests"] as number | undefined) ?? (ctx.quick ? 20 : 200);
  const rounds = (ctx.params["rounds"] as number | undefined) ?? (ctx.quick ? 5 : 30);
  const c = cleanups();
  try {
    const nats = await startBenchNats(c);
    const t0 = Date.now() - 60_000;
    ctx.log(`dashboard: seeding ${releases} releases in flight`);
    const { releases: seeded } = await seedReleases(nats.nc, releases, t0);
    const tStart = performance.now();
    const dash = await dashboardMain(nats.workerEnv({ SISKIN_LISTEN_PORT: "0", SISKIN_AUTH_TOKENS: `bench:${hashToken(TOKEN)}` }));
    const startMs = since(tStart);
    c.add(() => dash.stop());
    const auth = { authorization: `Bearer ${TOKEN}` };

    ctx.log(`dashboard: ${requests} list requests`);
    const listMs: number[] = [];
    let bytes = 0;
    let rows = 0;
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      const res = await fetch(`${dash.url}/api/v1/releases?all=true`, { headers: auth });
      const text = await res.text();
      listMs.push(performance.now() - t);
      bytes = text.length;
      rows = (JSON.parse(text) as { releases: unknown[] }).releases.length;
    }
    const detailMs: number[] = [];
    for (let i = 0; i < Math.min(requests, 50); i++) {
      const id = seeded[i % seeded.length]?.releaseId ?? "";
      const t = performance.now();
      await (await fetch(`${dash.url}/api/v1/releases/${id}`, { headers: auth })).text();
      detailMs.push(performance.now() - t);
    }

    ctx.log(`dashboard: SSE fan-out to ${clients} clients, ${rounds} rounds`);
    const abort = new AbortController();
    c.add(() => abort.abort());
    const waiting = new Map<string, { sentAt: number; got: number[] }>();
    for (let i = 0; i < clients; i++) {
      await sseClient(dash.url, abort.signal, (id) => {
        const w = waiting.get(id);
        if (w !== undefined) w.got.push(performance.now() - w.sentAt);
      });
    }
    const publisher = createPublisher(nats.nc, { source: "bench" });
    const perClient: number[] = [];
    const lastClient: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const rel = seeded[r % seeded.length];
      if (rel === undefined) break;
      const w = { sentAt: performance.now(), got: [] as number[] };
      waiting.set(rel.releaseId, w);
      await publisher.publish(Event.releaseProgressed, {
        releaseId: rel.releaseId,
        id: `bench-progress-${r}`,
        data: message(Event.releaseProgressed, { id: "x", occurredAt: new Date().toISOString(), releaseId: rel.releaseId, data: { from: "step.shifting", to: "step.analyzing", event: "tick", reason: "bench", weight: 10, step: 0, seq: 100 + r } }).data,
      });
      await waitFor(() => w.got.length >= clients, { timeoutMs: 10_000, intervalMs: 2, what: `round ${r + 1}: the release event at all ${clients} clients` });
      waiting.delete(rel.releaseId);
      perClient.push(...w.got);
      lastClient.push(Math.max(...w.got));
    }
    abort.abort();

    const figures: Figure[] = [
      { name: `list (${rows} releases, ${Math.round(bytes / 1024)} KiB JSON): server response`, unit: "ms", summary: summarize(listMs) },
      { name: "release detail: server response", unit: "ms", summary: summarize(detailMs) },
      { name: `SSE: JetStream publish → a client's event (${clients} clients)`, unit: "ms", summary: summarize(perClient) },
      { name: `SSE: JetStream publish → the last of ${clients} clients`, unit: "ms", summary: summarize(lastClient) },
      { name: `dashboard start (${releases} stored releases loaded, history replayed)`, unit: "ms", summary: summarize([startMs]) },
    ];
    return {
      tables: [figuresTable(`dashboard with ${releases} releases in flight, ${clients} SSE clients`, figures)],
      figures,
      setup: { releases, clients, requests, rounds, path: "seeded KV entries (the orchestrator's shape) → dashboard main (one ordered consumer on EVENTS, KV re-read per burst) → HTTP list/detail with a bearer token; SSE clients as fetch streams in this process" },
      caveats: [
        "Clients, dashboard and nats-server share this Node process (except nats-server) and 2 cores; a browser also spends time rendering, which is not measured.",
        "The list is measured with ?all=true (every release, not one per rollout), the larger answer.",
        "The SSE latency includes the dashboard's re-read of the release's KV entry (one get per burst of events).",
      ],
      data: { listBytes: bytes },
    };
  } finally {
    await c.run();
  }
}

/** The benchmark. */
export const dashboard: Benchmark = {
  name: "dashboard",
  title: "the dashboard with 200 releases in flight: list response time and SSE fan-out to 50 clients",
  run: runDashboard,
};
