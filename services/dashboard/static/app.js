// The dashboard's pages: the releases list and a release's detail, kept live by one EventSource.
// Plain DOM (text only, never innerHTML of data); charts with uPlot (global `uPlot`).
/* global uPlot */

const main = document.getElementById("main");
const state = { me: null, route: null, rows: new Map(), detail: null, reloadTimer: null, chartTimer: null };

/** Build an element: h("a", {href}, "text", child…). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(path, init) {
  const res = await fetch(path, { credentials: "same-origin", ...init, headers: { accept: "application/json", ...(init?.headers ?? {}) } });
  const body = await res.json().catch(() => ({}));
  return { status: res.status, ok: res.ok, body };
}

const age = (ms) => {
  if (ms === null || ms === undefined) return "-";
  const s = Math.max(0, Math.floor((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
};
const clock = (ms) => (ms ? new Date(ms).toLocaleTimeString([], { hour12: false }) : "-");
const actor = (a) => (a ? `${a.kind}:${a.name || a.id}` : "");

// State is never told by colour alone: each phase has a symbol and its word.
function phaseBadge(row) {
  const p = row.phase;
  const [cls, sym] = row.done
    ? row.outcome === "promoted" ? ["ok", "✓"] : ["bad", "✗"]
    : row.awaitingApproval ? ["warn", "?"] : p === "paused" ? ["warn", "‖"] : p.includes("rolling") ? ["bad", "↺"] : ["run", "→"];
  return h("span", { class: `phase ${cls}`, "data-phase": p }, h("span", { "aria-hidden": "true" }, sym), p);
}

function stepCell(row) {
  if (row.steps === null) return h("span", { class: "muted" }, "-");
  const n = row.step ?? 0;
  return h("span", {}, h("progress", { max: row.steps, value: row.done && row.outcome === "promoted" ? row.steps : n, "aria-label": `step ${n} of ${row.steps}` }), ` ${n}/${row.steps}`);
}

function weightCell(w) {
  const bar = h("span", { class: "weight", "aria-hidden": "true" }, h("span", {}));
  bar.firstChild.style.width = `${w}%`;
  return h("span", { class: "weight-cell" }, bar, ` ${w} %`);
}

function releaseHref(id) {
  return `/releases/${id.split("/").map(encodeURIComponent).join("/")}`;
}

// ---- Releases list ----------------------------------------------------------------------------

function listParams() {
  const p = new URLSearchParams(location.search);
  return { q: p.get("q") ?? "", all: p.get("all") === "1" };
}

async function showList() {
  const { q, all } = listParams();
  document.title = "Siskin releases";
  const r = await api(`/api/v1/releases?${new URLSearchParams({ ...(q ? { q } : {}), ...(all ? { all: "true" } : {}) })}`);
  if (!r.ok) return showError(r);
  state.rows = new Map(r.body.releases.map((row) => [row.releaseId, row]));
  const filter = h("input", { type: "search", id: "filter", value: q, placeholder: "namespace, rollout, version or phase", "aria-describedby": "count" });
  const allBox = h("input", { type: "checkbox", id: "all", checked: all });
  const apply = () => {
    const p = new URLSearchParams();
    if (filter.value.trim()) p.set("q", filter.value.trim());
    if (allBox.checked) p.set("all", "1");
    history.replaceState(null, "", `/${p.size ? `?${p}` : ""}`);
    renderRows(filter.value, allBox.checked);
  };
  filter.addEventListener("input", apply);
  allBox.addEventListener("change", () => { apply(); route(); });
  main.replaceChildren(
    h("h1", {}, "Releases"),
    h("div", { class: "filters" },
      h("label", { for: "filter" }, "Filter releases "), filter,
      h("label", {}, allBox, " every release, not only each rollout's current one"),
      h("span", { id: "count", class: "muted", "aria-live": "polite" }, "")),
    h("table", { id: "releases" },
      h("caption", {}, "Every rollout's current release in all namespaces: live ones first, newest first"),
      h("thead", {}, h("tr", {}, ...["Release", "Phase", "Step", "Canary weight", "Age", "Must approve", "Last verdict"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {})),
  );
  renderRows(q, all);
}

function renderRows(q, all) {
  const words = (q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const seen = new Set();
  const rows = sortRows([...state.rows.values()]).filter((r) => {
    const key = `${r.namespace}/${r.rollout}`;
    if (!all) { if (seen.has(key)) return false; seen.add(key); }
    const hay = `${r.releaseId} ${r.state} ${r.phase}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const tbody = document.querySelector("#releases tbody");
  if (!tbody) return;
  tbody.replaceChildren(...rows.map((r) => h("tr", { "data-release": r.releaseId },
    h("th", { scope: "row" }, h("a", { href: releaseHref(r.releaseId) }, r.releaseId)),
    h("td", {}, phaseBadge(r)),
    h("td", {}, stepCell(r)),
    h("td", { "data-weight": r.weight }, weightCell(r.weight)),
    h("td", { title: r.requestedAt ? new Date(r.requestedAt).toISOString() : "" }, age(r.requestedAt)),
    h("td", {}, r.approvers.length ? r.approvers.join(", ") : h("span", { class: "muted" }, "-")),
    h("td", { class: "verdicts" }, r.verdict))));
  const count = document.getElementById("count");
  if (count) count.textContent = `${rows.length} shown`;
}

// Live first (newest request first), then finished (newest first): the server's order.
function sortRows(rows) {
  const live = rows.filter((r) => !r.done).sort((a, b) => (b.requestedAt ?? 0) - (a.requestedAt ?? 0) || a.releaseId.localeCompare(b.releaseId));
  const done = rows.filter((r) => r.done).sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0) || a.releaseId.localeCompare(b.releaseId));
  return [...live, ...done];
}

// ---- Release detail ---------------------------------------------------------------------------

const ACTIONS = [
  ["approve", "Approve", "primary"], ["reject", "Reject", "danger"], ["pause", "Pause", ""],
  ["resume", "Resume", ""], ["promote", "Promote", ""], ["abort", "Abort", "danger"],
];

async function showDetail(id, { quiet = false } = {}) {
  const [ns, ro, ver] = id.split("/");
  const r = await api(`/api/v1/releases/${ns}/${ro}/${encodeURIComponent(ver)}`);
  if (!r.ok) return showError(r);
  const d = r.body;
  const first = state.detail?.row.releaseId !== id || !document.getElementById("detail");
  state.detail = d;
  document.title = `${id} · Siskin`;
  if (first) {
    main.replaceChildren(
      h("p", {}, h("a", { href: "/" }, "← all releases")),
      h("h1", { id: "detail" }, `Release ${id}`),
      h("section", { class: "panel", "aria-labelledby": "sum-h" }, h("h2", { id: "sum-h" }, "Where it stands"), h("div", { id: "summary", class: "summary" }), h("div", { id: "actions" })),
      h("div", { class: "grid" },
        h("section", { class: "panel" }, h("h2", {}, "Canary weight over time"), h("div", { id: "chart-weight", class: "chart", role: "img", "aria-label": "canary weight over time" })),
        h("section", { class: "panel" }, h("h2", {}, "Error rate (5xx %): canary vs stable"), h("div", { id: "chart-error-rate", class: "chart", role: "img", "aria-label": "error rate of canary and stable over time" })),
        h("section", { class: "panel" }, h("h2", {}, "Latency p99 (ms): canary vs stable"), h("div", { id: "chart-latency-p99", class: "chart", role: "img", "aria-label": "p99 latency of canary and stable over time" })),
        h("section", { class: "panel" }, h("h2", {}, "Analysis intervals"), h("div", { id: "intervals" }))),
      h("div", { class: "grid" },
        h("section", { class: "panel" }, h("h2", {}, "Virtual machines"), h("div", { id: "vmis" }, "…")),
        h("section", { class: "panel" }, h("h2", {}, "Approvals"), h("div", { id: "approvals" }))),
      h("section", { class: "panel" }, h("h2", {}, "Audit timeline"), h("ol", { id: "timeline", class: "timeline" })),
    );
    renderActions(d);
  }
  renderSummary(d);
  updateActionButtons(d);
  renderWeightChart(d);
  renderIntervals(d);
  renderApprovals(d);
  renderTimeline(d);
  if (first || !quiet) { loadCharts(id); loadVmis(id); }
}

function renderSummary(d) {
  const r = d.row;
  const item = (label, value, attrs = {}) => h("div", attrs, h("b", {}, label), value);
  document.getElementById("summary").replaceChildren(
    item("Phase", phaseBadge(r), { id: "phase" }),
    item("State", r.state),
    item("Step", stepCell(r)),
    item("Canary weight", `${r.weight} %`, { id: "weight", "data-weight": r.weight }),
    item("Canary / stable", `${r.version ?? "-"} / ${r.stableVersion ?? "-"}`),
    item("Age", age(r.requestedAt)),
    item("Must approve", r.approvers.length ? r.approvers.join(", ") : "-"),
    item("Slack thread", d.slackThread ? h("a", { href: d.slackThread, rel: "noopener", target: "_blank" }, "open the thread") : "-"),
    item("Why", r.reason || "-"),
  );
}

function renderActions(d) {
  const reason = h("input", { id: "reason", type: "text", maxlength: 2000, autocomplete: "off" });
  const msg = h("div", { id: "action-msg", role: "status", "aria-live": "polite" });
  const buttons = ACTIONS.map(([a, label, cls]) => h("button", { type: "button", class: cls, "data-action": a, onclick: () => act(d.row.releaseId, a, reason, msg) }, label));
  document.getElementById("actions").replaceChildren(
    h("h2", {}, "Actions"),
    h("div", { class: "actions", role: "group", "aria-label": "release actions" }, h("label", { for: "reason" }, "Reason (recorded in the audit)", reason), ...buttons),
    msg,
  );
}

function updateActionButtons(d) {
  const signedIn = state.me?.user != null;
  for (const b of document.querySelectorAll("#actions button[data-action]")) {
    const problem = d.actions[b.dataset.action];
    b.disabled = problem !== null;
    b.title = problem ?? (signedIn ? `${b.textContent} as ${state.me.user.name}` : "sign in to act");
    if (problem !== null) b.setAttribute("aria-description", problem); else b.removeAttribute("aria-description");
  }
}

async function act(id, action, reasonInput, msg) {
  const [ns, ro, ver] = id.split("/");
  const reason = reasonInput.value.trim();
  msg.className = "msg info";
  msg.textContent = `sending ${action}…`;
  const r = await api(`/api/v1/releases/${ns}/${ro}/${encodeURIComponent(ver)}/actions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(state.me?.csrfToken ? { "x-siskin-csrf": state.me.csrfToken } : {}) },
    body: JSON.stringify({ action, ...(reason ? { reason } : {}) }),
  });
  if (r.ok) {
    msg.className = "msg info";
    msg.textContent = `${action} sent (command ${r.body.commandId}); the page follows the release.`;
  } else {
    msg.className = "msg error";
    msg.setAttribute("role", "alert");
    msg.textContent = `${action} refused (HTTP ${r.status}): ${r.body.error ?? "unknown error"}`;
  }
}

function renderTimeline(d) {
  document.getElementById("timeline").replaceChildren(...[...d.timeline].reverse().map((t) => h("li", { "data-kind": t.kind },
    h("time", { datetime: t.at ? new Date(t.at).toISOString() : "" }, clock(t.at)),
    h("span", { class: `kind ${t.kind}` }, t.kind),
    h("div", {}, h("div", {}, t.title, t.actor ? h("strong", {}, ` by ${actor(t.actor)}`) : ""), h("div", { class: "muted" }, t.reason)))));
}

function renderApprovals(d) {
  const el = document.getElementById("approvals");
  if (d.approvals.length === 0) return el.replaceChildren(h("p", { class: "muted" }, "No approval asked for yet."));
  el.replaceChildren(h("table", {},
    h("thead", {}, h("tr", {}, ...["Step", "Decision", "Who", "When"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...d.approvals.map((a) => h("tr", {}, h("td", {}, a.step + 1), h("td", {}, a.decision ?? "waiting"), h("td", {}, actor(a.actor) || "-"), h("td", {}, clock(a.at)))))));
}

const VERDICT_SYMBOL = { pass: "✓", fail: "✗", inconclusive: "?", error: "!" };

function renderIntervals(d) {
  const el = document.getElementById("intervals");
  const list = d.history.intervals;
  if (list.length === 0) return el.replaceChildren(h("p", { class: "muted" }, "No interval judged yet."));
  el.replaceChildren(h("table", { id: "interval-table" },
    h("thead", {}, h("tr", {}, ...["Window", "Metric", "Verdict", "Why"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...list.slice(-12).reverse().flatMap((i) => i.verdicts.map((v) => h("tr", {},
      h("td", {}, `${clock(i.start)}–${clock(i.end)}`), h("td", {}, v.metric),
      h("td", {}, `${VERDICT_SYMBOL[v.verdict] ?? ""} ${v.verdict}`), h("td", { class: "muted" }, v.reason)))))));
}

// ---- Charts -----------------------------------------------------------------------------------

const charts = new Map();

function plot(elId, opts, data) {
  const el = document.getElementById(elId);
  if (!el) return;
  charts.get(elId)?.destroy();
  el.replaceChildren();
  const width = Math.max(320, el.clientWidth || 560);
  const u = new uPlot({ width, height: 220, ...opts }, data, el);
  charts.set(elId, u);
  const points = data.slice(1).reduce((n, s) => n + s.filter((v) => v !== null && v !== undefined).length, 0);
  el.dataset.points = String(points);
}

// Vertical lines at step starts and a verdict symbol at each interval's end: marks on the chart, drawn by uPlot's hook.
function marksPlugin(d, { verdicts }) {
  return {
    hooks: {
      draw: [(u) => {
        const { ctx } = u;
        const top = u.bbox.top;
        const bottom = u.bbox.top + u.bbox.height;
        ctx.save();
        ctx.font = `${12 * devicePixelRatio}px system-ui`;
        for (const s of d.history.steps) {
          const x = u.valToPos(s.at / 1000, "x", true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = "#8a94a6"; ctx.setLineDash([4, 4]); ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
          ctx.fillStyle = "#5b6473"; ctx.fillText(`step ${s.step + 1}`, x + 3, top + 12 * devicePixelRatio);
        }
        if (verdicts) {
          for (const i of d.history.intervals) {
            const x = u.valToPos(i.end / 1000, "x", true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            const worst = ["fail", "error", "inconclusive", "pass"].find((k) => i.verdicts.some((v) => v.verdict === k)) ?? "pass";
            ctx.fillStyle = worst === "pass" ? "#1a7f37" : worst === "fail" ? "#c62828" : "#9a6700";
            ctx.fillText(VERDICT_SYMBOL[worst], x - 4, bottom - 4);
          }
        }
        ctx.restore();
      }],
    },
  };
}

function renderWeightChart(d) {
  const pts = [...d.history.weights];
  if (pts.length === 0 && d.row.requestedAt) pts.push({ at: d.row.requestedAt, weight: 0 });
  const end = d.row.done ? (d.completedAt ?? Date.now()) : Date.now();
  if (pts.length > 0) pts.push({ at: Math.max(end, pts.at(-1).at), weight: d.row.weight });
  const xs = pts.map((p) => p.at / 1000);
  const ys = pts.map((p) => p.weight);
  plot("chart-weight", {
    plugins: [marksPlugin(d, { verdicts: false })],
    scales: { y: { range: [0, 100] } },
    axes: [{}, { label: "canary %", values: (u, t) => t.map((v) => `${v}%`) }],
    series: [{}, { label: "canary weight", stroke: "#d9480f", width: 2, fill: "rgba(217,72,15,.08)", paths: uPlot.paths.stepped({ align: 1 }) }],
  }, [xs, ys]);
}

async function loadCharts(id) {
  const [ns, ro, ver] = id.split("/");
  const r = await api(`/api/v1/releases/${ns}/${ro}/${encodeURIComponent(ver)}/charts`);
  if (state.detail?.row.releaseId !== id) return;
  if (!r.ok) {
    for (const m of ["error-rate", "latency-p99"]) document.getElementById(`chart-${m}`)?.replaceChildren(h("p", { class: "msg error" }, r.body.error ?? `HTTP ${r.status}`));
    return;
  }
  for (const c of r.body.charts) {
    plot(`chart-${c.metric}`, {
      plugins: [marksPlugin(state.detail, { verdicts: true })],
      // Zero errors should read as a flat line at the bottom, not fill a 0-100 % scale.
      scales: { y: { range: (u, min, max) => [0, Math.max(c.metric === "error-rate" ? 2 : 10, (max ?? 0) * 1.15)] } },
      axes: [{}, { label: c.unit }],
      series: [{},
        { label: `canary ${c.canaryVersion ?? ""}`, stroke: "#d9480f", width: 2, spanGaps: true },
        { label: `stable ${c.stableVersion ?? ""}`, stroke: "#1864ab", width: 2, dash: [6, 4], spanGaps: true }],
    }, [c.times, c.canary, c.stable]);
  }
}

async function loadVmis(id) {
  const [ns, ro, ver] = id.split("/");
  const r = await api(`/api/v1/releases/${ns}/${ro}/${encodeURIComponent(ver)}/vmis`);
  const el = document.getElementById("vmis");
  if (!el || state.detail?.row.releaseId !== id) return;
  if (!r.ok) return el.replaceChildren(h("p", { class: "msg error" }, r.body.error ?? `HTTP ${r.status}`));
  if (r.body.vmis.length === 0) return el.replaceChildren(h("p", { class: "muted" }, "No VMI of either version."));
  const d = state.detail;
  el.replaceChildren(h("table", { id: "vmi-table" },
    h("thead", {}, h("tr", {}, ...["VMI", "Version", "Phase", "Ready", "Node", "Migrations"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...r.body.vmis.map((v) => h("tr", {},
      h("td", {}, v.name),
      h("td", {}, `${v.version}${v.version === d.row.version ? " (canary)" : v.version === d.row.stableVersion ? " (stable)" : ""}`),
      h("td", {}, v.phase), h("td", {}, v.ready ? "✓ ready" : "✗ not ready"), h("td", {}, v.node ?? "-"),
      h("td", {}, `${v.migrations}${v.migrating ? ` (migrating ${v.migrating})` : ""}`))))));
}

// ---- Routing, identity, live updates ----------------------------------------------------------

function showError(r) {
  const text = r.status === 401 ? `Not signed in: ${r.body.error ?? ""}` : `HTTP ${r.status}: ${r.body.error ?? "error"}`;
  main.replaceChildren(h("h1", {}, r.status === 401 ? "Sign in" : "Error"), h("p", { class: "msg error", role: "alert" }, text));
}

async function route() {
  const m = /^\/releases\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(location.pathname);
  state.route = m ? { page: "detail", id: m.slice(1).map(decodeURIComponent).join("/") } : { page: "list" };
  if (state.route.page === "detail") await showDetail(state.route.id);
  else { state.detail = null; await showList(); }
}

function scheduleDetailReload(charts) {
  clearTimeout(state.reloadTimer);
  state.reloadTimer = setTimeout(() => state.route?.page === "detail" && showDetail(state.route.id, { quiet: true }), 150);
  if (charts) {
    clearTimeout(state.chartTimer);
    state.chartTimer = setTimeout(() => { if (state.route?.page === "detail") { loadCharts(state.route.id); loadVmis(state.route.id); } }, 2000);
  }
}

function connect() {
  const live = document.getElementById("live");
  const es = new EventSource("/api/v1/events");
  es.addEventListener("open", () => { live.textContent = "● live"; live.dataset.state = "open"; });
  es.addEventListener("error", () => { live.textContent = "○ reconnecting…"; live.dataset.state = "closed"; });
  es.addEventListener("release", (e) => {
    const row = JSON.parse(e.data);
    if (row.removed) state.rows.delete(row.releaseId); else state.rows.set(row.releaseId, row);
    if (state.route?.page === "list") { const { q, all } = listParams(); renderRows(q, all); }
    if (state.route?.page === "detail" && state.route.id === row.releaseId) scheduleDetailReload(false);
  });
  es.addEventListener("history", (e) => {
    const { releaseId } = JSON.parse(e.data);
    if (state.route?.page === "detail" && state.route.id === releaseId) scheduleDetailReload(true);
  });
}

async function start() {
  const me = await api("/api/v1/me");
  state.me = me.body;
  const who = document.getElementById("who");
  who.textContent = me.body.user ? `signed in as ${me.body.user.name} (${me.body.user.via})` : "not signed in";
  if (!me.body.canRead) {
    document.getElementById("live").textContent = "";
    return showError({ status: 401, body: { error: "this dashboard needs an identity from the OIDC proxy or a bearer token" } });
  }
  connect();
  await route();
  // Ages move on their own.
  setInterval(() => { if (state.route?.page === "list") { const { q, all } = listParams(); renderRows(q, all); } }, 10_000);
}

window.addEventListener("popstate", route);
start();
