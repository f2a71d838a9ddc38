// Test support: the upstream VirtualServices the planner must handle, with the selection that
// manages them. Shared by plan.test.ts and plan-property.test.ts.
import type { RouteSelection } from "./route-select.js";
import { loadVs } from "./upstream-fixtures.test-util.js";
import type { RouteKind, VirtualService } from "./vs-types.js";

/** One valid planning case: a fixture, what to manage, and the routes that must be managed. */
export interface ValidCase {
  title: string;
  vs: () => VirtualService;
  selection: RouteSelection;
  /** `[kind, index]` of every route the selection must manage, in order. */
  managed: Array<[RouteKind, number]>;
}

const argo = "argo-rollouts/";
const istio = "istio/";
const hostSplit = { by: "host", stableHost: "stable", canaryHost: "canary" } as const;
const e2eHostSplit = { by: "host", stableHost: "istio-host-split-stable", canaryHost: "istio-host-split-canary" } as const;

/**
 * vsvc-mirror-route.yaml's test-mirror-1 routes to stable only (mirror → canary); Argo's test adds the
 * canary destination itself. We do the same here, so a managed route carries a `mirror`.
 */
function mirrorRouteWithCanary(): VirtualService {
  const vs = loadVs(`${argo}vsvc-mirror-route.yaml`);
  vs.spec.http?.[0]?.route?.push({ destination: { host: "canary" }, weight: 0 });
  return vs;
}

/** Every valid case, across both upstream fixture folders (and Flagger's generated VirtualService). */
export const validCases: ValidCase[] = [
  { title: "bookinfo reviews 80/20 (v1→v2)", vs: () => loadVs(`${istio}bookinfo-vs-reviews-80-20.yaml`), selection: { split: { by: "subset", stableSubset: "v1", canarySubset: "v2" } }, managed: [["http", 0]] },
  { title: "bookinfo reviews 90/10, host given", vs: () => loadVs(`${istio}bookinfo-vs-reviews-90-10.yaml`), selection: { split: { by: "subset", host: "reviews", stableSubset: "v1", canarySubset: "v2" } }, managed: [["http", 0]] },
  { title: "bookinfo reviews 50 v3, FQDN host", vs: () => loadVs(`${istio}bookinfo-vs-reviews-50-v3.yaml`), selection: { split: { by: "subset", host: "reviews.default.svc.cluster.local", stableSubset: "v1", canarySubset: "v3" } }, managed: [["http", 0]] },
  { title: "istio weighted route on an external FQDN host", vs: () => loadVs(`${istio}testdata-rule-weighted-route.yaml`), selection: { split: { by: "subset", host: "c-weighted.extsvc.com", stableSubset: "v1", canarySubset: "v2" } }, managed: [["http", 0]] },
  { title: "tcp-echo 80/20 by tcp port", vs: () => loadVs(`${istio}tcp-echo-vs-20-v2.yaml`), selection: { split: { by: "subset", stableSubset: "v1", canarySubset: "v2" }, tcpRoutes: [{ port: 31400 }] }, managed: [["tcp", 0]] },
  { title: "argo single unnamed route", vs: () => loadVs(`${argo}vsvc-single-unnamed-route.yaml`), selection: { split: hostSplit }, managed: [["http", 0]] },
  { title: "argo two named routes, primary only", vs: () => loadVs(`${argo}vsvc-two-named-http-routes.yaml`), selection: { split: hostSplit, httpRoutes: ["primary"] }, managed: [["http", 0]] },
  { title: "argo two named routes, both", vs: () => loadVs(`${argo}vsvc-two-named-http-routes.yaml`), selection: { split: hostSplit, httpRoutes: ["secondary", "primary"] }, managed: [["http", 0], ["http", 1]] },
  { title: "argo single route with subsets", vs: () => loadVs(`${argo}vsvc-single-route-subsets.yaml`), selection: { split: { by: "subset", stableSubset: "stable-subset", canarySubset: "canary-subset" } }, managed: [["http", 0]] },
  { title: "argo retries + CORS + ports", vs: () => loadVs(`${argo}vsvc-retries-cors-ports.yaml`), selection: { split: hostSplit, httpRoutes: ["primary", "secondary"] }, managed: [["http", 0], ["http", 1]] },
  { title: "argo header-match routes, primary", vs: () => loadVs(`${argo}vsvc-header-managed-user-routes.yaml`), selection: { split: hostSplit, httpRoutes: ["primary"] }, managed: [["http", 3]] },
  { title: "argo mixed http + tls + tcp", vs: () => loadVs(`${argo}vsvc-mixed-http-tls-tcp.yaml`), selection: { split: hostSplit, httpRoutes: ["secondary"], tlsRoutes: [{ port: 3001, sniHosts: [] }], tcpRoutes: [{ port: 3000 }] }, managed: [["http", 1], ["tls", 1], ["tcp", 0]] },
  { title: "argo tls SNI set without port", vs: () => loadVs(`${argo}vsvc-tls-sni.yaml`), selection: { split: hostSplit, tlsRoutes: [{ sniHosts: ["localhost", "bar.foo.com", "foo.bar.com"] }] }, managed: [["tls", 0]] },
  { title: "argo tls SNI with port", vs: () => loadVs(`${argo}vsvc-tls-sni.yaml`), selection: { split: hostSplit, tlsRoutes: [{ port: 3001, sniHosts: ["localhost"] }] }, managed: [["tls", 1]] },
  { title: "argo e2e host split", vs: () => loadVs(`${argo}e2e-istio-host-split.yaml`), selection: { split: e2eHostSplit, httpRoutes: ["primary"] }, managed: [["http", 0]] },
  { title: "argo e2e host split http + tls", vs: () => loadVs(`${argo}e2e-istio-host-http-tls-split.yaml`), selection: { split: e2eHostSplit, httpRoutes: ["primary"], tlsRoutes: [{ port: 3000, sniHosts: ["istio-host-split"] }] }, managed: [["http", 0], ["tls", 0]] },
  { title: "argo e2e subset split", vs: () => loadVs(`${argo}e2e-istio-subset-split.yaml`), selection: { split: { by: "subset", host: "istio-subset-split", stableSubset: "stable", canarySubset: "canary" }, httpRoutes: ["primary"] }, managed: [["http", 0]] },
  { title: "argo example behind a gateway", vs: () => loadVs(`${argo}example-istio-mirror.yaml`), selection: { split: e2eHostSplit, httpRoutes: ["primary"] }, managed: [["http", 0]] },
  { title: "argo mirror route (canary added), mirror kept", vs: mirrorRouteWithCanary, selection: { split: hostSplit, httpRoutes: ["test-mirror-1"] }, managed: [["http", 0]] },
  { title: "flagger apex VS: CORS, headers, rewrite, retries", vs: () => loadVs("flagger/faq-generated-vs-frontend.yaml"), selection: { split: { by: "host", stableHost: "podinfo-primary", canaryHost: "podinfo-canary" } }, managed: [["http", 0]] },
];
