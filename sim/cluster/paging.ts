// List paging with limit/continue, as the real server pages (opaque continue token, remainingItemCount).
// Pure.
import { badRequest } from "./status.js";
import type { KubeObject } from "./types.js";

/** One page of a list and its list metadata. */
export interface Page {
  items: KubeObject[];
  continue?: string;
  remainingItemCount?: number;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** The page after the continue token (if any), at most `limit` items (0 or absent: all). */
export function paginate(items: KubeObject[], rv: string, limit?: number, token?: string): Page {
  let rest = items;
  if (token) {
    let start: string;
    try {
      start = String((JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { start: unknown }).start);
    } catch {
      throw badRequest(`continue key is not valid: ${token}`);
    }
    rest = rest.filter((o) => keyOf(o) > start);
  }
  if (limit === undefined || limit <= 0 || rest.length <= limit) return { items: rest };
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page,
    continue: Buffer.from(JSON.stringify({ rv, start: last ? keyOf(last) : "" })).toString("base64url"),
    remainingItemCount: rest.length - limit,
  };
}
