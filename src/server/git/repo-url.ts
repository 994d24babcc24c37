import { BlockedAddressError, bareHost, parseAllowCidrs, resolvePublicAddress, type Resolve } from "../../net/address-policy";
import { validation } from "../errors/domain-errors";

export const REPO_URL_MAX = 2048;

export interface RepoUrlOptions {
  /** file:// clones are for development only (LOCAL_REPOS_ENABLED). */
  allowLocal: boolean;
}

/** scp-like syntax git accepts: user@host:path (no scheme). */
const SCP_LIKE = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(?!\/\/)([A-Za-z0-9._~\/-]+)$/;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const REPO_PATH = /^\/[A-Za-z0-9._~\/@+-]+$/;

/**
 * Returns what is wrong with a repository URL, or null. The worker passes the URL to `git clone`
 * as an argv element, but git itself interprets transports (`ext::` runs commands, `fd::`, helpers
 * named `<scheme>::`), so only plain https, ssh and (in development) file URLs are accepted, and
 * credentials never live in a URL (they would be stored and logged in clear).
 */
export function repoUrlProblem(raw: string, options: RepoUrlOptions): string | null {
  const url = raw.trim();
  if (url === "") return "Enter the repository's clone URL, e.g. https://github.com/you/app.git.";
  if (url.length > REPO_URL_MAX) return `Repository URL is too long (at most ${REPO_URL_MAX} characters).`;
  if (/[\u0000-\u0020\u007f]/.test(url)) return "Repository URL cannot contain spaces or control characters.";
  if (url.startsWith("-")) return "Repository URL cannot start with '-'.";
  // git reads "<transport>::<address>" as a remote helper; "::" elsewhere can only be inside an
  // IPv6 literal's brackets (paths and host names below admit no ':').
  if (/^[^/[\]]*::/.test(url)) return "Git transport helpers (such as ext::) are not allowed; use an https:// or ssh URL.";
  // Checked on the raw text: URL parsing would silently resolve "a/../b" before we saw it.
  if (/(^|[/:])\.\.(\/|$)/.test(safeDecode(url))) return "Repository path cannot contain '..'.";

  const scp = SCP_LIKE.exec(url);
  if (scp) {
    if (!HOST.test(scp[2]!)) return "Repository host name is not valid.";
    if (scp[3]!.split("/").includes("..")) return "Repository path cannot contain '..'.";
    return null;
  }

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Repository URL is not valid; use https://host/owner/repo.git, ssh://git@host/owner/repo.git or git@host:owner/repo.git.";
  }
  const scheme = parsed.protocol;
  if (scheme === "file:") {
    if (!options.allowLocal) {
      return "Local file:// repositories are only allowed where the operator enabled them (LOCAL_REPOS_ENABLED); use an https:// or ssh URL.";
    }
    if (parsed.host !== "") return "file:// URLs must be absolute paths on the worker (file:///path/to/repo).";
    if (!REPO_PATH.test(decodeURIComponent(parsed.pathname))) return "file:// path contains characters that are not allowed.";
    if (decodeURIComponent(parsed.pathname).split("/").includes("..")) return "Repository path cannot contain '..'.";
    return null;
  }
  if (scheme !== "https:" && scheme !== "ssh:" && scheme !== "http:") {
    return `The ${scheme.replace(":", "")} transport is not allowed; use an https:// or ssh URL.`;
  }
  if (scheme === "http:") return "Plain http:// is not allowed (it can be tampered with in transit); use https://.";
  if (parsed.password !== "") return "Do not put credentials in the repository URL; connect a git provider for private repositories.";
  if (scheme === "https:" && parsed.username !== "") {
    return "Do not put credentials in the repository URL; connect a git provider for private repositories.";
  }
  if (parsed.search !== "" || parsed.hash !== "") return "Repository URL cannot contain a query string or fragment.";
  if (!HOST.test(parsed.hostname) && !/^\[[0-9a-fA-F:.]+\]$/.test(parsed.hostname)) return "Repository host name is not valid.";
  const path = decodeURIComponent(parsed.pathname);
  if (path === "/" || path === "") return "Repository URL must include the repository path (owner/repo).";
  if (!REPO_PATH.test(path)) return "Repository path contains characters that are not allowed.";
  if (path.split("/").includes("..")) return "Repository path cannot contain '..'.";
  return null;
}

/** Throws a VALIDATION error naming what to fix. Returns the trimmed URL. */
export function assertValidRepoUrl(raw: string, options: RepoUrlOptions): string {
  const problem = repoUrlProblem(raw, options);
  if (problem) throw validation(problem, { field: "repoUrl" });
  return raw.trim();
}

export interface RepoHostOptions extends RepoUrlOptions {
  /** CIDRs a repository host may be in despite the address check (REPO_ALLOW_CIDRS). */
  allowCidrs: string;
  resolve?: Resolve;
}

/** The host git would connect to for a network URL (scp-like, https, ssh), or null for file://. */
export function repoHost(url: string): string | null {
  const scp = SCP_LIKE.exec(url);
  if (scp) return scp[2]!;
  const parsed = new URL(url);
  return parsed.protocol === "file:" ? null : bareHost(parsed.hostname);
}

/**
 * assertValidRepoUrl, then the address check webhooks get (src/net/address-policy.ts): a host
 * that is, or resolves to, a loopback, private, link-local or metadata address is refused, so a
 * worker's git cannot be pointed at the platform's own network. A name that does not resolve from
 * here is accepted: workers may resolve names the control plane cannot, and they check again,
 * on the address they connect to, when they clone (docs/apps.md, "Repository URLs").
 */
export async function assertSafeRepoUrl(raw: string, options: RepoHostOptions): Promise<string> {
  const url = assertValidRepoUrl(raw, options);
  const host = repoHost(url);
  if (host === null) return url;
  try {
    await resolvePublicAddress(host, { allow: parseAllowCidrs(options.allowCidrs), resolve: options.resolve });
  } catch (err) {
    if (!(err instanceof BlockedAddressError)) return url;
    const where = err.address === err.host ? `${err.host} is` : `${err.host} resolves to ${err.address}, which is`;
    throw validation(
      `Repository host ${where} not a public internet address, so workers will not clone from it. A git server on a private network must be allowed by the platform's operator (REPO_ALLOW_CIDRS, and --repo-allow-cidrs on the workers).`,
      { field: "repoUrl" },
    );
  }
  return url;
}

/**
 * host/owner/repo in lower case, the same for the https, ssh and scp-like spellings of one
 * repository, so a push payload's URL can be matched against the URLs apps track.
 */
export function repoIdentity(raw: string): string | null {
  const url = raw.trim();
  const scp = SCP_LIKE.exec(url);
  let host: string;
  let path: string;
  if (scp) {
    host = scp[2]!;
    path = scp[3]!;
  } else {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "file:") return `file:${parsed.pathname.replace(/\/+$/, "").replace(/\.git$/, "")}`;
      host = parsed.hostname;
      path = parsed.pathname;
    } catch {
      return null;
    }
  }
  const cleaned = path.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/i, "");
  if (!cleaned) return null;
  return `${host.toLowerCase()}/${cleaned.toLowerCase()}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
