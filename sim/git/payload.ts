/**
 * Realistic GitHub webhook payloads (the shape of test/fixtures/upstream/github/push-tag-created-*.json,
 * trimmed of the `*_url` templates nobody reads). Pure: time and ids come in.
 */
import { createHash } from "node:crypto";

/** A GitHub account as it appears in `sender` / `owner`. */
export interface GitAccount {
  login: string;
  email?: string;
}

/** Input of {@link buildPushPayload}. */
export interface PushInput {
  /** `owner/name`. */
  repository: string;
  /** Full ref, e.g. `refs/tags/v2.3.0` or `refs/heads/main`. */
  ref: string;
  /** The commit SHA (40 hex) the ref now points at; ignored when `deleted`. */
  sha: string;
  /** Previous SHA (all zeros for a new ref). */
  before?: string;
  created: boolean;
  deleted: boolean;
  pusher: GitAccount;
  /** Branch that holds the tagged commit (`refs/heads/main`), or null. */
  baseRef?: string | null;
  /** Head commit message. */
  message?: string;
  /** ISO time of the push (the clock's). */
  at: string;
}

const zeroSha = "0".repeat(40);

/** A stable small integer from a string (GitHub ids are numbers). */
export function idOf(s: string): number {
  return createHash("sha256").update(s).digest().readUInt32BE(0) % 100_000_000;
}

function account(a: GitAccount, type: "User" | "Organization") {
  const id = idOf(`${type}:${a.login}`);
  return {
    login: a.login,
    id,
    node_id: Buffer.from(`04:${type}${id}`).toString("base64"),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `https://github.com/${a.login}`,
    type,
    site_admin: false,
  };
}

/** The `repository` object of a payload. */
export function repositoryObject(fullName: string, pushedAt: string) {
  const [owner = fullName, name = fullName] = fullName.split("/");
  const id = idOf(`repo:${fullName}`);
  const created = Math.floor(Date.parse("2020-01-01T00:00:00Z") / 1000);
  return {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString("base64"),
    name,
    full_name: fullName,
    private: true,
    owner: { name: owner, email: null, ...account({ login: owner }, "Organization") },
    html_url: `https://github.com/${fullName}`,
    description: null,
    fork: false,
    url: `https://github.com/${fullName}`,
    created_at: created,
    updated_at: pushedAt,
    pushed_at: Math.floor(Date.parse(pushedAt) / 1000),
    git_url: `git://github.com/${fullName}.git`,
    ssh_url: `git@github.com:${fullName}.git`,
    clone_url: `https://github.com/${fullName}.git`,
    default_branch: "main",
    master_branch: "main",
    stargazers: 0,
    organization: owner,
  };
}

/** A `push` payload. */
export function buildPushPayload(p: PushInput) {
  const email = p.pusher.email ?? `${p.pusher.login}@users.noreply.github.com`;
  const short = p.ref.replace(/^refs\/(tags|heads)\//, "");
  const person = { name: p.pusher.login, email, username: p.pusher.login };
  const headCommit = p.deleted
    ? null
    : {
        id: p.sha,
        tree_id: createHash("sha1").update(`tree:${p.sha}`).digest("hex"),
        distinct: true,
        message: p.message ?? `Release ${short}`,
        timestamp: p.at,
        url: `https://github.com/${p.repository}/commit/${p.sha}`,
        author: person,
        committer: person,
        added: [],
        removed: [],
        modified: [],
      };
  return {
    ref: p.ref,
    before: p.before ?? (p.created ? zeroSha : p.sha),
    after: p.deleted ? zeroSha : p.sha,
    repository: repositoryObject(p.repository, p.at),
    pusher: { name: p.pusher.login, email },
    organization: account({ login: p.repository.split("/")[0] ?? p.repository }, "Organization"),
    sender: account(p.pusher, "User"),
    created: p.created,
    deleted: p.deleted,
    forced: false,
    base_ref: p.baseRef === undefined ? (p.ref.startsWith("refs/tags/") ? "refs/heads/main" : null) : p.baseRef,
    compare: `https://github.com/${p.repository}/compare/${p.deleted ? short : p.sha.slice(0, 12)}`,
    commits: [],
    head_commit: headCommit,
  };
}

/** A `ping` payload, sent when a hook is created. */
export function buildPingPayload(p: { repository: string; hookId: number; url: string; contentType: "json" | "form"; sender: GitAccount; at: string }) {
  return {
    zen: "Keep it logically awesome.",
    hook_id: p.hookId,
    hook: {
      type: "Repository",
      id: p.hookId,
      name: "web",
      active: true,
      events: ["push"],
      config: { content_type: p.contentType, insecure_ssl: "0", url: p.url },
      updated_at: p.at,
      created_at: p.at,
    },
    repository: repositoryObject(p.repository, p.at),
    sender: account(p.sender, "User"),
  };
}
