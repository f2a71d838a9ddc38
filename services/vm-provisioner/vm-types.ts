// Shapes of the objects the provisioner reads and writes. Only what Siskin looks at is typed; index
// signatures keep everything else of the user's template untouched.

/** A namespaced object's name. */
export interface ObjectRef {
  namespace: string;
  name: string;
}

/** Object metadata. */
export interface Meta {
  creationTimestamp?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** `spec.template` of a VirtualMachine (a VMI spec with its metadata). */
export interface VmTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  spec: Record<string, unknown>;
}

/** A KubeVirt VirtualMachine. */
export interface VirtualMachine {
  apiVersion: string;
  kind: string;
  metadata: Meta & { name: string; namespace: string };
  spec: {
    runStrategy?: string;
    running?: boolean;
    template: VmTemplate;
    [key: string]: unknown;
  };
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A core/v1 Service (what preflight reads). */
export interface Service {
  metadata?: Meta;
  spec?: {
    selector?: Record<string, string>;
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A networking.istio.io DestinationRule (what preflight reads). */
export interface DestinationRule {
  metadata?: Meta;
  spec?: { host?: string; subsets?: Array<{ name?: string; labels?: Record<string, string> }>; [key: string]: unknown };
  [key: string]: unknown;
}

/** A core/v1 Namespace (its labels say whether Istio injects). */
export interface Namespace {
  metadata?: Meta;
  [key: string]: unknown;
}

/** Interface of a VMI (`spec.domain.devices.interfaces[]`). */
export interface VmiInterface {
  name?: string;
  masquerade?: unknown;
  bridge?: unknown;
  sriov?: unknown;
  slirp?: unknown;
  macvtap?: unknown;
  passt?: unknown;
  binding?: { name?: string };
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
  [key: string]: unknown;
}

/** Network of a VMI (`spec.networks[]`). */
export interface VmiNetwork {
  name?: string;
  pod?: unknown;
  multus?: { networkName?: string; default?: boolean };
  [key: string]: unknown;
}

/** Volume of a VMI (`spec.volumes[]`). */
export interface VmiVolume {
  name?: string;
  containerDisk?: { image?: string; [key: string]: unknown };
  cloudInitNoCloud?: { networkData?: string; [key: string]: unknown };
  cloudInitConfigDrive?: { networkData?: string; [key: string]: unknown };
  [key: string]: unknown;
}
