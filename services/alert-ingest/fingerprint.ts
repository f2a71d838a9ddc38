/**
 * Alertmanager's alert fingerprint, for senders that give none: the 64-bit FNV-1a hash of the sorted
 * label names and values, each followed by the 0xff separator (prometheus/common `model.LabelSet.Fingerprint`),
 * as 16 hex digits. Matching Alertmanager's own value means an old and a new sender name one alert alike.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

/** The fingerprint of a label set. Pure. */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  let h = OFFSET;
  const add = (byte: number) => {
    h = ((h ^ BigInt(byte)) * PRIME) & MASK;
  };
  // Go sorts strings by their bytes.
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  for (const name of names) {
    for (const b of Buffer.from(name, "utf8")) add(b);
    add(SEPARATOR);
    for (const b of Buffer.from(labels[name] ?? "", "utf8")) add(b);
    add(SEPARATOR);
  }
  return h.toString(16).padStart(16, "0");
}
