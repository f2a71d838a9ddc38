/**
 * Tag and version globs of a VMRollout (`spec.source.tagPattern`, `spec.versionPattern`). Pure; no
 * regular expression from the spec is ever run: the glob is compiled to an anchored one here.
 */
import type { VMRolloutSpec } from "./rollout.js";

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/**
 * Compile a tag glob: `*` matches any run of characters except `/`, `**` any run at all, `?` one
 * character except `/`, `[abc]`/`[a-z]`/`[!a]` a class; everything else is literal.
 * Throws when a class is not closed.
 */
export function globToRegExp(glob: string): RegExp {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        out += ".*";
        i++;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) throw new Error(`tag pattern "${glob}" has an unclosed "[" at ${i}; close the class or escape it`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else out += escapeRegex(c);
  }
  return new RegExp(`${out}$`);
}

/** True when `tag` matches the glob `pattern` (see {@link globToRegExp}); a broken pattern matches nothing. */
export function tagMatches(pattern: string, tag: string): boolean {
  try {
    return globToRegExp(pattern).test(tag);
  } catch {
    return false;
  }
}

/**
 * Why `version` may not be released from `spec`, or null when it may. The version is the only part
 * of the new VM that a release request supplies: it becomes the containerDisk tag (`<image>:<version>`)
 * and the version label, and it is already a Kubernetes label value (no `:`, `@`, `/`). A rollout
 * narrows it further with `spec.versionPattern`.
 */
export function versionProblem(spec: Pick<VMRolloutSpec, "versionPattern">, version: string): string | null {
  const pattern = spec.versionPattern;
  if (pattern === undefined || tagMatches(pattern, version)) return null;
  return `version ${version} does not match the rollout's versionPattern ${pattern}`;
}
