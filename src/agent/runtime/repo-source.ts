/** Thrown for input that must never reach git or the file system; the message says what to fix. */
export class SourceValidationError extends Error {
  override name = "SourceValidationError";
}

const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$/;

/**
 * Accepts https/http/ssh/git URLs and scp-like `user@host:path`; `file://` only when local
 * repositories are enabled. Everything else (including git's `ext::` and option-looking strings)
 * is refused before git sees it.
 */
export function validateRepoUrl(url: string, options: { allowLocal: boolean }): string {
  if (!url || url.length > 2048) throw new SourceValidationError("repository URL is empty or longer than 2048 characters");
  if (url.startsWith("-") || CONTROL_OR_SPACE.test(url)) {
    throw new SourceValidationError("repository URL must not start with '-' or contain spaces or control characters");
  }
  if (SCP_LIKE.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceValidationError(`repository URL ${redactUrl(url)} is not a URL (use https://host/owner/repo.git)`);
  }
  switch (parsed.protocol) {
    case "https:":
    case "http:":
    case "ssh:":
    case "git:":
      if (!parsed.hostname) throw new SourceValidationError("repository URL has no host");
      return url;
    case "file:":
      if (!options.allowLocal) {
        throw new SourceValidationError("file:// repositories are disabled on this worker (start the agent with --allow-local-repos)");
      }
      if (parsed.hostname && parsed.hostname !== "localhost") throw new SourceValidationError("file:// URLs must not name a host");
      return url;
    default:
      throw new SourceValidationError(`repository URL scheme ${parsed.protocol} is not allowed (use https://, ssh:// or git@host:path)`);
  }
}

/** git check-ref-format rules, minus anything that could be read as an option. */
export function validateBranch(branch: string): string {
  const ok =
    branch.length > 0 &&
    branch.length <= 255 &&
    /^[A-Za-z0-9._/-]+$/.test(branch) &&
    !branch.startsWith("-") &&
    !branch.startsWith("/") &&
    !branch.endsWith("/") &&
    !branch.endsWith(".") &&
    !branch.endsWith(".lock") &&
    !branch.includes("..") &&
    !branch.includes("//") &&
    !branch.split("/").some((part) => part.startsWith("."));
  if (!ok) throw new SourceValidationError(`branch name ${JSON.stringify(branch.slice(0, 80))} is not a valid git branch`);
  return branch;
}

/** Empty (use the branch head) or a hex object name. */
export function validateCommitSha(sha: string): string {
  if (sha !== "" && !/^[0-9a-f]{7,64}$/i.test(sha)) throw new SourceValidationError(`commit ${JSON.stringify(sha.slice(0, 80))} is not a hex commit id`);
  return sha.toLowerCase();
}

/** The URL without credentials, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = "***";
      parsed.password = "";
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
