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
