/**
 * The VMRollout: how one service backed by KubeVirt VMs is released. The CRD's `openAPIV3Schema`
 * is generated from these schemas (scripts/export-schemas.ts), so every field is documented here.
 */
import { Type, type Static } from "typebox";
import { K8sName, K8sNamespace, Strict, StringEnum, StringMap, Version } from "./common.js";

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
    /** Canary may be at most stable × ratio (e.g. 1.2 for p99 latency). */
    maxRatio: Type.Optional(Type.Number({ minimum: 0 })),
    /** Canary may be at most stable + delta, in the metric's unit (e.g. 0.5 points of error rate). */
    maxDelta: Type.Optional(Type.Number()),
  },
  { description: "Bounds relative to the stable version." },
);

/** One metric judged every analysis interval. */
export const MetricSpec = Strict(
  {
    /** Unique name within the rollout, e.g. `error-rate`. */
    name: Type.String({ minLength: 1, maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" }),
    /** A built-in Istio metric; omit when `query` is given. */
    builtin: Type.Optional(StringEnum(BuiltinMetric)),
    /**
     * A custom PromQL template, evaluated once for all releases. It must keep the label named by
     * `analysis.versionLabel` in its result. Placeholders: `{{namespace}}`, `{{service}}`,
     * `{{interval}}` (values escaped; a label value cannot inject PromQL).
     */
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    /** Unit for display: `percent`, `ms`, `rps`, or free text. */
    unit: Type.Optional(Type.String({ maxLength: 20 })),
    /** Fail the interval when the canary's value is above this. */
    max: Type.Optional(Type.Number()),
    /** Fail the interval when the canary's value is below this. */
    min: Type.Optional(Type.Number()),
    /** Fail the interval when the canary is worse than stable by more than this. */
    relative: Type.Optional(RelativeThreshold),
    /** Roll back at once (fast path) when the canary's value is above this. */
    criticalMax: Type.Optional(Type.Number()),
    /** Statistical comparison with stable (binomial test for error rate, Mann-Whitney for latency). */
    statistical: Type.Optional(
      Strict({
        /** Significance level, e.g. 0.05. */
        alpha: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
      }),
    ),
  },
  { description: "A metric and its thresholds." },
);
export type MetricSpec = Static<typeof MetricSpec>;

/** An Alertmanager matcher set: a firing alert whose labels include all of these rolls back at once. */
export const AlertMatcher = Strict(
  {
    /** Labels the alert must carry with these exact values. `{{version}}` is replaced by the canary version. */
    labels: StringMap,
  },
  { description: "Labels an alert must match to count for this rollout." },
);

/** Approval gate before a step. */
export const ApprovalGate = Strict({
  /** How long the request stays open. */
  timeoutSeconds: Type.Integer({ minimum: 10, maximum: 7 * 24 * 3600, default: 3600 }),
  /** What a timeout means: reject (default) or approve. */
  onTimeout: StringEnum(["reject", "approve"] as const, { default: "reject" }),
});

/** One traffic step. */
export const StepSpec = Strict(
  {
    /** Canary weight in percent (1..100). The last step is usually 100. */
    weight: Type.Integer({ minimum: 1, maximum: 100 }),
    /** Analysis intervals to bake at this weight before moving on (default 1). */
    bakeIntervals: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Ask the approvers before shifting to this step. */
    approval: Type.Optional(ApprovalGate),
  },
  { description: "A canary weight, how long to bake it, and an optional approval gate before it." },
);
export type StepSpec = Static<typeof StepSpec>;

/** The VMRollout spec. */
export const VMRolloutSpec = Strict(
  {
    /** The Kubernetes Service that selects the VMs (by `app`), e.g. `ratings`. */
    service: K8sName,
    /** The VirtualService whose routes Siskin manages, and which routes. */
    virtualService: Strict({
      /** Name of the VirtualService in the rollout's namespace. */
      name: K8sName,
      /** Names of the http routes to manage. Omit when the VirtualService has exactly one http route. */
      routes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 20 })),
      /** TLS routes to manage, by port and SNI hosts. */
      tlsRoutes: Type.Optional(
        Type.Array(Strict({ port: Type.Optional(Type.Integer()), sniHosts: Type.Array(Type.String()) }), {
          maxItems: 20,
        }),
      ),
      /** TCP routes to manage, by port. */
      tcpRoutes: Type.Optional(Type.Array(Strict({ port: Type.Integer() }), { maxItems: 20 })),
    }),
    /** The DestinationRule whose subsets select the versions (one subset per version, named as the version). */
    destinationRule: Strict({
      name: K8sName,
    }),
    /** Label on the VMs that carries the version (also Istio's `destination_version`). Default `version`. */
    versionLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    /**
     * The version serving when Siskin takes the rollout over. After a promotion Siskin records the new
     * stable version in `status.stableVersion`, which the next release starts from (the spec stays yours).
     */
    stableVersion: Version,
    /**
     * The VirtualMachine template for new versions: labels `app` and the version label, the
     * `sidecar.istio.io/inject` annotation and the containerDisk image are set from the release.
     */
    vmTemplate: Type.Object(
      {
        metadata: Type.Optional(
          Type.Object({ labels: Type.Optional(StringMap), annotations: Type.Optional(StringMap) }),
        ),
        spec: Type.Object({}, { additionalProperties: true, "x-kubernetes-preserve-unknown-fields": true }),
      },
      { description: "A KubeVirt VirtualMachine `spec.template` (metadata + spec)." },
    ),
    /** containerDisk image repository; the release's version becomes its tag (`<image>:<version>`). */
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** Traffic steps (default 10, 50, 100). */
    steps: Type.Optional(Type.Array(StepSpec, { minItems: 1, maxItems: 20 })),
    /** How each step is judged. */
    analysis: Type.Optional(
      Strict({
        /** Length of one analysis interval. Default 60. */
        intervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
        /** Consecutive failed intervals tolerated; one more rolls back. Default 1. */
        failureLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        /** Consecutive inconclusive intervals tolerated before `noData` applies. Default 2. */
        inconclusiveLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        /** Consecutive query errors tolerated before the release pauses for a human. Default 4. */
        errorLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        /** What to do when inconclusive intervals exceed the limit: hold, rollback or pause. Default hold. */
        noData: Type.Optional(StringEnum(NoDataPolicy)),
        /** Fewer canary requests than this in an interval makes it inconclusive. Default 20. */
        minRequests: Type.Optional(Type.Integer({ minimum: 0 })),
        /** Metrics; default error-rate (max 1 %, stable + 0.5) and latency-p99 (1.2 × stable). */
        metrics: Type.Optional(Type.Array(MetricSpec, { maxItems: 20 })),
        /** Firing alerts that match roll back at once. */
        alerts: Type.Optional(Type.Array(AlertMatcher, { maxItems: 20 })),
      }),
    ),
    /** Seconds from provisioning to a Ready canary VMI, and the most one step may stall. Default 600. */
    progressDeadlineSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
    /** Seconds the old version's VMs stay up after promotion, for a fast rollback. Default 600. */
    rollbackWindowSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86400 })),
    /** Keep the canary VM running after a rollback, for debugging. Default false. */
    keepCanaryOnRollback: Type.Optional(Type.Boolean()),
    /** Who may approve gated steps: Slack user ids (`U…`) and user group ids (`S…`). */
    approvers: Type.Optional(
      Strict({
        users: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 200 })),
        groups: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 })),
      }),
    ),
    /** Where releases are told. */
    notify: Type.Optional(
      Strict({
        /** Slack channel id for the release thread. */
        slackChannel: Type.Optional(Type.String({ minLength: 1 })),
        /** Generic JSON webhook URLs. */
        webhooks: Type.Optional(Type.Array(Type.String({ format: "uri" }), { maxItems: 10 })),
        /** Dashboard link shown in Slack. */
        dashboardUrl: Type.Optional(Type.String({ format: "uri" })),
      }),
    ),
    /** Which Git repository and tags ask for releases of this rollout. */
    source: Type.Optional(
      Strict({
        /** `owner/name` of the GitHub repository. */
        repository: Type.String({ minLength: 3, pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" }),
        /** Tag glob; default `v*`. */
        tagPattern: Type.Optional(Type.String({ minLength: 1 })),
      }),
    ),
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

/** Phases shown in `kubectl get vmrollouts`. */
export const RolloutPhase = ["Idle", "Progressing", "Paused", "Promoted", "RolledBack", "Degraded", "Aborted"] as const;
export type RolloutPhase = (typeof RolloutPhase)[number];

/** VMRollout status, written by Siskin. */
export const VMRolloutStatus = Type.Object(
  {
    phase: Type.Optional(StringEnum(RolloutPhase)),
    observedGeneration: Type.Optional(Type.Integer()),
    /** The release in flight or last finished. */
    releaseId: Type.Optional(Type.String()),
    stableVersion: Type.Optional(Type.String()),
    canaryVersion: Type.Optional(Type.String()),
    canaryWeight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    currentStep: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The workflow state, e.g. `analyzing`. */
    state: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    /** Last verdict per metric, one line each. */
    lastVerdicts: Type.Optional(
      Type.Array(Strict({ metric: Type.String(), verdict: Type.String(), reason: Type.String() })),
    ),
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
  /** metadata.generation of the spec this release started from. */
  generation: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type RolloutRef = Static<typeof RolloutRef>;
