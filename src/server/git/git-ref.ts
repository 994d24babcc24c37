export const BRANCH_MAX = 200;

/**
 * Returns what is wrong with a branch name, or null. Follows git check-ref-format and, beyond it,
 * refuses a leading '-' so a branch can never be read as an option by git on the worker.
 */
export function branchProblem(raw: string): string | null {
  const branch = raw;
  if (branch === "") return "Enter a branch name, e.g. main.";
  if (branch.length > BRANCH_MAX) return `Branch name is too long (at most ${BRANCH_MAX} characters).`;
  if (branch.startsWith("-")) return "Branch name cannot start with '-'.";
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(branch)) {
    return "Branch name cannot contain spaces, control characters or any of ~ ^ : ? * [ \\.";
  }
  if (branch.includes("..")) return "Branch name cannot contain '..'.";
  if (branch.includes("@{")) return "Branch name cannot contain '@{'.";
  if (branch === "@") return "Branch name cannot be '@'.";
  if (branch.startsWith("/") || branch.endsWith("/") || branch.includes("//")) {
    return "Branch name cannot start or end with '/' or contain '//'.";
  }
  if (branch.endsWith(".") || branch.endsWith(".lock")) return "Branch name cannot end with '.' or '.lock'.";
  if (branch.split("/").some((part) => part.startsWith("."))) return "No part of a branch name may start with '.'.";
  return null;
}

/** A full or abbreviated commit SHA (hex, 7–64 chars; 64 for SHA-256 repositories). */
export function isCommitSha(value: string): boolean {
  return /^[0-9a-f]{7,64}$/.test(value);
}
