export type PushVendor = "github" | "gitlab" | "gitea" | "bitbucket";

/** What a push webhook says, vendor differences removed. */
export interface PushEvent {
  vendor: PushVendor;
  /** Clone URLs (https, ssh) and web URL of the pushed repository, as the payload gives them. */
  repoUrls: string[];
  /** Branch name, or null when a tag or something other than a branch was pushed. */
  branch: string | null;
  commitSha: string;
  commitMessage: string;
  /** Where the branch was before this push (lower-case hex), "" for a new branch or when not given. */
  before: string;
  /** Commits the push says it added to the branch (lower-case hex), as far as the body lists them. */
  commitShas: string[];
  /** The vendor marked the push as a force-push (GitHub, Bitbucket; GitLab and Gitea do not say). */
  forced: boolean;
  /** When the vendor recorded the push (GitHub's repository.pushed_at), or null when the body has no push time. */
  pushedAt: Date | null;
  pusher: string;
  /** The push deleted the branch: nothing to deploy. */
  deleted: boolean;
}

export type ParsedDelivery =
  | { kind: "push"; event: PushEvent }
  | { kind: "ping" }
  | { kind: "ignored"; reason: string };

/** A request header getter, case-insensitive like Headers.get. */
export type HeaderGet = (name: string) => string | null;

export function branchFromRef(ref: unknown): string | null {
  return typeof ref === "string" && ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export const ZERO_SHA = /^0+$/;

/** A commit id from a payload in lower case, or "" when it is missing, not hex, or all zeros (no commit). */
export function shaOf(value: unknown): string {
  const sha = str(value).trim().toLowerCase();
  return /^[0-9a-f]{7,64}$/.test(sha) && !ZERO_SHA.test(sha) ? sha : "";
}

/** A push time given as Unix seconds (GitHub's push payload) or an RFC 3339 string; null when unusable. */
export function pushTimeOf(value: unknown): Date | null {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return new Date(value * 1000);
  if (typeof value === "string" && value !== "") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  return null;
}
