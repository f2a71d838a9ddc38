/**
 * The VMRollout: how one service backed by KubeVirt VMs is released. The CRD's `openAPIV3Schema`
 * is generated from these schemas (scripts/export-schemas.ts), so every field is documented here.
 */
import { Type, type Static } from "typebox";
import { Doc, K8sName, K8sNamespace, Strict, StringEnum, StringMap, Version } from "./common.js";

/** API group, version and names of the VMRollout custom resource. */
export const VMRolloutResource = {
  group: "siskin.dev",
  version: "v1alpha1",
  kind: "VMRollout",
  plural: "vmrollouts",
  singular: "vmrollout",
  shortNames: ["vmro"],
} as const;

/** What happens when the inconclusive limit is exceeded. */
export const NoDataPolicy = ["hold", "rollback", "pause"] as const;
export type NoDataPolicy = (typeof NoDataPolicy)[number];

/** Built-in metrics computed from Istio's standard telemetry. */
export const BuiltinMetric = ["error-rate", "latency-p99", "latency-p95", "request-rate"] as const;
export type BuiltinMetric = (typeof BuiltinMetric)[number];

/** A threshold relative to the stable version's value of the same metric. */
export const RelativeThreshold = Strict(
  {
    maxRatio: Doc("Canary may be at most stable × ratio (e.g. 1.2 for p99 latency).", Type.Optional(Type.Number({ minimum: 0 }))),
    maxDelta: Doc("Canary may be at most stable + delta, in the metric's unit (e.g. 0.5 points of error rate).", Type.Optional(Type.Number())),
  },
  { description: "Bounds relative to the stable version." },
);

/** One metric judged every analysis interval. */
export const MetricSpec = Strict(
  {
    name: Doc("Unique name within the rollout, e.g. `error-rate`.", Type.String({ minLength: 1, maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" })),
    builtin: Doc("A built-in Istio metric; omit when `query` is given.", Type.Optional(StringEnum(BuiltinMetric))),
    query: Doc("A custom PromQL template, evaluated once for all releases. It must keep the label named by `analysis.versionLabel` in its result. Placeholders: `{{namespace}}`, `{{service}}`, `{{interval}}` (values escaped; a label value cannot inject PromQL).", Type.Optional(Type.String({ minLength: 1, maxLength: 4000 }))),
    unit: Doc("Unit for display: `percent`, `ms`, `rps`, or free text.", Type.Optional(Type.String({ maxLength: 20 }))),
    max: Doc("Fail the interval when the canary's value is above this.", Type.Optional(Type.Number())),
    min: Doc("Fail the interval when the canary's value is below this.", Type.Optional(Type.Number())),
    relative: Doc("Fail the interval when the canary is worse than stable by more than this.", Type.Optional(RelativeThreshold)),
    criticalMax: Doc("Roll back at once (fast path) when the canary's value is above this.", Type.Optional(Type.Number())),
    statistical: Doc("Statistical comparison with stable (binomial test for error rate, Mann-Whitney for latency).", Type.Optional(
      Strict({
        alpha: Doc("Significance level, e.g. 0.05.", Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
      }),
    )),
  },
  {
    description: "A metric and its thresholds.",
    "x-kubernetes-validations": [{ rule: "has(self.builtin) != has(self.query)", message: "exactly one of builtin or query must be set" }],
  },
);
export type MetricSpec = Static<typeof MetricSpec>;

/** The knobs of sequential judging. */
export const SequentialSpec = Strict(
  {
    alpha: Doc(
      "Error level of one release: the chance of ever rolling back a canary within tolerance, and of passing one beyond it, each at most this. Default 0.05, chosen from `npm run bench -- decisions` (healthy releases falsely rolled back ≤ 0.45 % in every cell; docs/performance.md).",
      Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.5 })),
    ),
    latencyShareDelta: Doc(
      "Latency: how many more points of percent of the canary's requests than of stable's may be slower than the histogram boundary nearest stable's p99. Default 2.",
      Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    ),
  },
  { description: "Anytime-valid sequential judging of 5xx and slow-request counts." },
);
export type SequentialSpec = Static<typeof SequentialSpec>;

/** An Alertmanager matcher set: a firing alert whose labels include all of these rolls back at once. */
export const AlertMatcher = Strict(
  {
    labels: Doc("Labels the alert must carry with these exact values. `{{version}}` is replaced by the canary version.", StringMap),
  },
  { description: "Labels an alert must match to count for this rollout." },
);

/** Approval gate before a step. */
export const ApprovalGate = Strict({
  timeoutSeconds: Doc("How long the request stays open.", Type.Integer({ minimum: 10, maximum: 7 * 24 * 3600, default: 3600 })),
  onTimeout: Doc("What a timeout means: reject (default) or approve.", StringEnum(["reject", "approve"] as const, { default: "reject" })),
});

/** An Istio StringMatch on a header value: exactly one of `exact`, `prefix`, `regex` (RE2 syntax). */
export const HeaderValueMatch = Strict(
  {
    exact: Doc("The value must equal this.", Type.Optional(Type.String({ minLength: 1, maxLength: 1024 }))),
    prefix: Doc("The value must start with this.", Type.Optional(Type.String({ minLength: 1, maxLength: 1024 }))),
    regex: Doc("The whole value must match this RE2 regular expression (no lookaround or backreference).", Type.Optional(Type.String({ minLength: 1, maxLength: 1024 }))),
  },
  { description: "How a header value must match: exactly one of exact, prefix, regex." },
);
export type HeaderValueMatch = Static<typeof HeaderValueMatch>;

/**
 * One condition of a matched-route step: request headers (all must match), or a cookie. Written into
 * the VirtualService as an Istio `HTTPMatchRequest` (a cookie becomes a regex on the `cookie` header,
 * as Flagger does).
 */
export const RouteMatch = Strict(
  {
    headers: Doc("Header name (lower case) → how its value must match; all must match.", Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 256 }), HeaderValueMatch))),
    cookie: Doc(
      "A cookie that must be present with this exact value, e.g. {name: beta, value: \"true\"}.",
      Type.Optional(
        Strict({
          name: Doc("The cookie's name.", Type.String({ minLength: 1, maxLength: 256 })),
          value: Doc("The cookie's value, exactly.", Type.String({ minLength: 1, maxLength: 1024 })),
        }),
      ),
    ),
  },
  { description: "Request headers or a cookie that send a request to the canary." },
);
export type RouteMatch = Static<typeof RouteMatch>;

/** Mirroring: the canary gets a copy of this share of the traffic; Envoy discards its answers. */
export const MirrorSpec = Strict(
  {
    percentage: Doc("Percent of requests copied to the canary (above 0, at most 100).", Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
  },
  { description: "Shadow traffic: a copy of a share of the requests, answers discarded." },
);
export type MirrorSpec = Static<typeof MirrorSpec>;

/**
 * One traffic step: exactly one of `weight` (the canary's share of user traffic), `mirror` (a copy of
 * the traffic, no user-facing weight) or `match` (only matching requests reach the canary). Mirror
 * and matched steps come before the weight steps, e.g. mirror 100 % → match → 10 → 50 → 100.
 */
export const StepSpec = Strict(
  {
    weight: Doc("Canary weight in percent (1..100); omit for a mirror or matched step. The last step is usually 100.", Type.Optional(Type.Integer({ minimum: 1, maximum: 100 }))),
    mirror: Doc("Mirror a share of the traffic to the canary; its user-facing weight stays 0.", Type.Optional(MirrorSpec)),
    match: Doc("Send only requests matching any of these (headers or a cookie) to the canary; weight 0 for the rest.", Type.Optional(Type.Array(RouteMatch, { minItems: 1, maxItems: 8 }))),
    bakeIntervals: Doc("Analysis intervals to bake at this step before moving on (default 1).", Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }))),
    approval: Doc("Ask the approvers before shifting to this step.", Type.Optional(ApprovalGate)),
  },
  { description: "A traffic step (weight, mirror or match), how long to bake it, and an optional approval gate before it." },
);
export type StepSpec = Static<typeof StepSpec>;

/** The VMRollout spec. */
export const VMRolloutSpec = Strict(
  {
    service: Doc("The Kubernetes Service that selects the VMs (by `app`), e.g. `ratings`.", K8sName),
    virtualService: Doc("The VirtualService whose routes Siskin manages, and which routes.", Strict({
      name: Doc("Name of the VirtualService in the rollout's namespace.", K8sName),
      routes: Doc("Names of the http routes to manage. Omit when the VirtualService has exactly one http route.", Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 20 }))),
      tlsRoutes: Doc("TLS routes to manage, by port and SNI hosts.", Type.Optional(
        Type.Array(Strict({ port: Doc("The route's match port; omit to match any.", Type.Optional(Type.Integer())), sniHosts: Doc("The route's SNI hosts, as in the VirtualService.", Type.Array(Type.String())) }), {
          maxItems: 20,
        }),
      )),
      tcpRoutes: Doc("TCP routes to manage, by port.", Type.Optional(Type.Array(Strict({ port: Doc("The route's match port.", Type.Integer()) }), { maxItems: 20 }))),
    })),
    destinationRule: Doc("The DestinationRule whose subsets select the versions (one subset per version, named as the version).", Strict({
      name: Doc("Name of the DestinationRule in the rollout's namespace.", K8sName),
    })),
    versionLabel: Doc("Label on the VMs that carries the version (also Istio's `destination_version`). Default `version`.", Type.Optional(Type.String({ minLength: 1, maxLength: 63 }))),
    stableVersion: Doc("The version serving when Siskin takes the rollout over. After a promotion Siskin records the new stable version in `status.stableVersion`, which the next release starts from (the spec stays yours).", Version),
    vmTemplate: Doc("The VirtualMachine template for new versions: labels `app` and the version label, the `sidecar.istio.io/inject` annotation and the containerDisk image are set from the release.", Type.Object(
      {
        metadata: Doc("Labels and annotations of the VMs, beside those Siskin sets.", Type.Optional(
          Type.Object({ labels: Doc("Labels of the VM template.", Type.Optional(StringMap)), annotations: Doc("Annotations of the VM template.", Type.Optional(StringMap)) }),
        )),
        spec: Doc("A KubeVirt VirtualMachineInstance spec (domain, volumes, networks); kept as written.", Type.Object({}, { additionalProperties: true, "x-kubernetes-preserve-unknown-fields": true })),
      },
      { description: "A KubeVirt VirtualMachine `spec.template` (metadata + spec)." },
    )),
    image: Doc("containerDisk image repository; the release's version becomes its tag (`<image>:<version>`).", Type.Optional(Type.String({ minLength: 1, maxLength: 500 }))),
    versionPattern: Doc(
      "Versions this rollout may release (a glob as `source.tagPattern`, e.g. `v[0-9]*.[0-9]*.[0-9]*`); a request for another version is refused before anything runs. Default: any valid version label.",
      Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ),
    steps: Doc(
      "Traffic steps (default 10, 50, 100); the weights of weight steps strictly increase.",
      Type.Optional(
        Type.Array(StepSpec, {
          minItems: 1,
          maxItems: 20,
          "x-kubernetes-validations": [
            {
              rule: "self.filter(s, has(s.weight)).map(s, s.weight).isSorted() && self.filter(s, has(s.weight)).all(a, self.filter(s, has(s.weight)).exists_one(b, b.weight == a.weight))",
              message: "step weights must strictly increase",
            },
          ],
        }),
      ),
    ),
    analysis: Doc("How each step is judged.", Type.Optional(
      Strict({
        intervalSeconds: Doc("Length of one analysis interval. Default 60.", Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 }))),
        failureLimit: Doc("Consecutive failed intervals tolerated; one more rolls back. Default 1.", Type.Optional(Type.Integer({ minimum: 0, maximum: 100 }))),
        inconclusiveLimit: Doc("Consecutive inconclusive intervals tolerated before `noData` applies. Default 2.", Type.Optional(Type.Integer({ minimum: 0, maximum: 100 }))),
        errorLimit: Doc("Consecutive query errors tolerated before the release pauses for a human. Default 4.", Type.Optional(Type.Integer({ minimum: 0, maximum: 100 }))),
        noData: Doc("What to do when inconclusive intervals exceed the limit: hold, rollback or pause. Default hold.", Type.Optional(StringEnum(NoDataPolicy))),
        minRequests: Doc("Fewer canary requests than this in an interval makes it inconclusive. Default 20.", Type.Optional(Type.Integer({ minimum: 0 }))),
        metrics: Doc(
          "Metrics; default error-rate (max 1 %, stable + 0.5) and latency-p99 (1.2 × stable). Names are unique.",
          Type.Optional(
            Type.Array(MetricSpec, {
              maxItems: 20,
              "x-kubernetes-validations": [{ rule: "self.all(a, self.exists_one(b, b.name == a.name))", message: "metric names must be unique" }],
            }),
          ),
        ),
        alerts: Doc("Firing alerts that match roll back at once.", Type.Optional(Type.Array(AlertMatcher, { maxItems: 20 }))),
        sequential: Doc(
          "Judge the built-in `error-rate` and `latency-p99` metrics sequentially on counts after every scrape (anytime-valid; docs/decisions/sequential-analysis.md): roll back the moment the evidence shows a regression beyond the metric's tolerance, pass a step only when it is ruled out, and call it inconclusive until then.",
          Type.Optional(SequentialSpec),
        ),
      }),
    )),
    progressDeadlineSeconds: Doc("Seconds from provisioning to a Ready canary VMI, and the most one step may stall. Default 600.", Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 }))),
    rollbackWindowSeconds: Doc("Seconds the old version's VMs stay up after promotion, for a fast rollback. Default 600.", Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86400 }))),
    revisionHistoryLimit: Doc(
      "Versions kept deployed, counting the stable one and the previous one kept for a rollback (default 2, as Argo Rollouts). Older versions' routes, subsets and VMs that Siskin created are removed once the rollback window has passed; never a version that still gets traffic.",
      Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 2 })),
    ),
    keepCanaryOnRollback: Doc("Keep the canary VM running after a rollback, for debugging. Default false.", Type.Optional(Type.Boolean())),
    approvers: Doc("Who may approve gated steps: Slack user ids (`U…`) and user group ids (`S…`).", Type.Optional(
      Strict({
        users: Doc("Slack user ids (`U…`) who may approve.", Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 200 }))),
        groups: Doc("Slack user group ids (`S…`) whose members may approve.", Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 }))),
      }),
    )),
    notify: Doc("Where releases are told.", Type.Optional(
      Strict({
        slackChannel: Doc("Slack channel id for the release thread.", Type.Optional(Type.String({ minLength: 1 }))),
        webhooks: Doc("Generic JSON webhook URLs.", Type.Optional(Type.Array(Type.String({ format: "uri" }), { maxItems: 10 }))),
        dashboardUrl: Doc("Dashboard link shown in Slack.", Type.Optional(Type.String({ format: "uri" }))),
      }),
    )),
    source: Doc("Which Git repository and tags ask for releases of this rollout.", Type.Optional(
      Strict({
        repository: Doc("`owner/name` of the GitHub repository.", Type.String({ minLength: 3, pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" })),
        tagPattern: Doc("Tag glob; default `v*`.", Type.Optional(Type.String({ minLength: 1 }))),
      }),
    )),
  },
  { description: "VMRollout spec: progressive delivery of a KubeVirt-backed service." },
);
export type VMRolloutSpec = Static<typeof VMRolloutSpec>;

/** A Kubernetes-style condition. */
export const Condition = Strict({
  type: Type.String(),
  status: StringEnum(["True", "False", "Unknown"] as const),
  reason: Type.String(),
  message: Type.String(),
  lastTransitionTime: Type.String(),
  observedGeneration: Type.Optional(Type.Integer()),
});
export type Condition = Static<typeof Condition>;

/**
 * Phases shown in `kubectl get vmrollouts`. `Failed`: the release ended before any traffic moved (its
 * VM could not be provisioned); `InvalidSpec`: the spec is refused (condition `SpecValid=False`).
 */
export const RolloutPhase = ["Idle", "Progressing", "Paused", "Promoted", "RolledBack", "Degraded", "Aborted", "Failed", "InvalidSpec"] as const;
export type RolloutPhase = (typeof RolloutPhase)[number];

/** VMRollout status, written by Siskin. */
export const VMRolloutStatus = Type.Object(
  {
    phase: Type.Optional(StringEnum(RolloutPhase)),
    observedGeneration: Type.Optional(Type.Integer()),
    releaseId: Doc("The release in flight or last finished.", Type.Optional(Type.String())),
    stableVersion: Type.Optional(Type.String()),
    canaryVersion: Type.Optional(Type.String()),
    canaryWeight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    currentStep: Type.Optional(Type.Integer({ minimum: 0 })),
    state: Doc("The workflow state, e.g. `analyzing`.", Type.Optional(Type.String())),
    message: Type.Optional(Type.String()),
    lastVerdicts: Doc("Last verdict per metric, one line each.", Type.Optional(
      Type.Array(Strict({ metric: Type.String(), verdict: Type.String(), reason: Type.String() })),
    )),
    conditions: Type.Optional(Type.Array(Condition)),
  },
  { additionalProperties: false },
);
export type VMRolloutStatus = Static<typeof VMRolloutStatus>;

/** A whole VMRollout object (as stored in Kubernetes). */
export const VMRollout = Type.Object({
  apiVersion: Type.Literal(`${VMRolloutResource.group}/${VMRolloutResource.version}`),
  kind: Type.Literal(VMRolloutResource.kind),
  metadata: Type.Object({
    name: K8sName,
    namespace: Type.Optional(K8sNamespace),
    labels: Type.Optional(StringMap),
    annotations: Type.Optional(StringMap),
    generation: Type.Optional(Type.Integer()),
    resourceVersion: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
  }),
  spec: VMRolloutSpec,
  status: Type.Optional(VMRolloutStatus),
});
export type VMRollout = Static<typeof VMRollout>;

/** The rollout as the workflow carries it: where it lives and its spec. */
export const RolloutRef = Strict({
  namespace: K8sNamespace,
  name: K8sName,
  generation: Doc("metadata.generation of the spec this release started from.", Type.Optional(Type.Integer({ minimum: 0 }))),
});
export type RolloutRef = Static<typeof RolloutRef>;
