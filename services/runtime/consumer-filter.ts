/**
 * Which subjects a durable consumer asks the server for. nats-server 2.10 added `filter_subjects`
 * (several filters); 2.9 knows only `filter_subject` and silently ignores the plural field, which
 * would make a consumer read the whole stream. On 2.9 a consumer with several subjects therefore
 * filters on their narrowest wildcard cover and the consume loop filters the rest (see
 * docs/decisions/0001-consumers-on-nats-2.9.md).
 */
import { Consumer, Stream, type ConsumerName } from "../../schemas/subjects.js";

/** True when `subject` (no wildcards) matches the NATS `filter` (`*` one token, `>` one or more). */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    const t = f[i];
    if (t === ">") return s.length > i;
    if (i >= s.length) return false;
    if (t !== "*" && t !== s[i]) return false;
  }
  return f.length === s.length;
}

/** True when some subject matches both filters (a work-queue stream refuses overlapping consumers). */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined || q === undefined) return p === q;
    if (p === ">" || q === ">") return true;
    if (p !== "*" && q !== "*" && p !== q) return false;
  }
}

/**
 * The narrowest single filter matching every one of `subjects`: the common leading tokens, then `*`
 * per token when all have the same length and no `>`, else `>`.
 */
export function coverFilter(subjects: readonly string[]): string {
  if (subjects.length === 0) throw new Error("coverFilter: no subjects to cover");
  if (subjects.length === 1) return subjects[0] as string;
  const split = subjects.map((s) => s.split("."));
  const first = split[0] as string[];
  let common = 0;
  while (common < first.length && first[common] !== ">" && first[common] !== "*" && split.every((t) => t[common] === first[common])) common++;
  const sameLength = split.every((t) => t.length === first.length) && split.every((t) => !t.includes(">"));
  const head = first.slice(0, common);
  const tail = sameLength ? first.slice(common).map(() => "*") : [">"];
  if (head.length === first.length) return head.join(".");
  return [...head, ...tail].join(".");
}

/** True when the server version (e.g. "2.9.10") supports `filter_subjects`. */
export function supportsMultiFilter(serverVersion: string): boolean {
  const [major = 0, minor = 0] = serverVersion.split(".").map((n) => parseInt(n, 10));
  return major > 2 || (major === 2 && minor >= 10);
}

/** The filters the server applies for `consumer` on a server of `serverVersion`. */
export function serverFilters(consumer: ConsumerName, serverVersion: string): string[] {
  const subjects = Consumer[consumer].filterSubjects;
  if (subjects.length === 1 || supportsMultiFilter(serverVersion)) return [...subjects];
  return [coverFilter(subjects)];
}

/** The filter fields of the consumer config (`filter_subject` on 2.9, `filter_subjects` from 2.10). */
export function consumerFilterConfig(
  consumer: ConsumerName,
  serverVersion: string,
): { filter_subject: string } | { filter_subjects: string[] } {
  const filters = serverFilters(consumer, serverVersion);
  return filters.length === 1 ? { filter_subject: filters[0] as string } : { filter_subjects: filters };
}

/** True when `subject` is one `consumer` handles (what the server's filter may not have narrowed). */
export function consumerOwns(consumer: ConsumerName, subject: string): boolean {
  return Consumer[consumer].filterSubjects.some((f) => subjectMatches(f, subject));
}

/** True when the consumer's stream is a work queue (a message acked there is gone for everyone). */
export function isWorkQueueConsumer(consumer: ConsumerName): boolean {
  const stream = Object.values(Stream).find((s) => s.name === Consumer[consumer].stream);
  return stream?.retention === "workqueue";
}

/** Pairs of consumers whose server filters overlap on the same work-queue stream (must be empty). */
export function workQueueOverlaps(serverVersion: string): Array<[ConsumerName, ConsumerName, string, string]> {
  const names = (Object.keys(Consumer) as ConsumerName[]).filter(isWorkQueueConsumer);
  const out: Array<[ConsumerName, ConsumerName, string, string]> = [];
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      if (Consumer[a].stream !== Consumer[b].stream) continue;
      for (const fa of serverFilters(a, serverVersion)) {
        for (const fb of serverFilters(b, serverVersion)) if (filtersOverlap(fa, fb)) out.push([a, b, fa, fb]);
      }
    }
  }
  return out;
}
