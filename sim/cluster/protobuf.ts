// Just enough of the Kubernetes protobuf encoding for kubectl's typed "generator" commands
// (`kubectl create namespace x` posts application/vnd.kubernetes.protobuf): the runtime.Unknown
// envelope and ObjectMeta's name, generateName, namespace, labels and annotations. Pure.

/** Protobuf body that cannot be decoded (the HTTP layer answers 415). */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtobufError";
  }
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

interface Field {
  no: number;
  wire: number;
  bytes?: Uint8Array;
  varint?: number;
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw new ProtobufError("truncated varint");
      const b = buf[i++] ?? 0;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 2) {
      const len = varint();
      out.push({ no, wire, bytes: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new ProtobufError(`unsupported wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());

function stringMap(entries: Field[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.bytes ?? new Uint8Array());
    out[text(kv.find((f) => f.no === 1)?.bytes)] = text(kv.find((f) => f.no === 2)?.bytes);
  }
  return out;
}

function objectMeta(buf: Uint8Array): Record<string, unknown> {
  const fs = fields(buf);
  const meta: Record<string, unknown> = {};
  const str = (no: number, key: string): void => {
    const f = fs.find((x) => x.no === no);
    // proto2 optional strings arrive even when empty; JSON omits them.
    if (f && text(f.bytes) !== "") meta[key] = text(f.bytes);
  };
  str(1, "name");
  str(2, "generateName");
  str(3, "namespace");
  const labels = fs.filter((f) => f.no === 11);
  if (labels.length > 0) meta.labels = stringMap(labels);
  const annotations = fs.filter((f) => f.no === 12);
  if (annotations.length > 0) meta.annotations = stringMap(annotations);
  const finalizers = fs.filter((f) => f.no === 14).map((f) => text(f.bytes));
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

/** Kinds whose protobuf body the simulator can decode (metadata only; their spec is defaulted). */
export const protobufKinds = new Set(["Namespace"]);

/** Decodes a `k8s\0`-prefixed runtime.Unknown holding one of `protobufKinds` into a JSON object. */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (!MAGIC.every((b, i) => body[i] === b)) throw new ProtobufError("missing the k8s protobuf magic number");
  const envelope = fields(body.subarray(4));
  const typeMeta = fields(envelope.find((f) => f.no === 1)?.bytes ?? new Uint8Array());
  const apiVersion = text(typeMeta.find((f) => f.no === 1)?.bytes);
  const kind = text(typeMeta.find((f) => f.no === 2)?.bytes);
  if (!protobufKinds.has(kind)) throw new ProtobufError(`protobuf bodies of kind ${kind || "(none)"} are not supported; send JSON or YAML (kubectl apply -f)`);
  const raw = fields(envelope.find((f) => f.no === 2)?.bytes ?? new Uint8Array());
  const meta = raw.find((f) => f.no === 1);
  return { apiVersion, kind, metadata: meta ? objectMeta(meta.bytes ?? new Uint8Array()) : {} };
}
