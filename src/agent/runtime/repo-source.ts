import { isIP } from "node:net";
import { BlockedAddressError, bareHost, parseAllowCidrs, resolvePublicAddress, type Resolve } from "../../net/address-policy";

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

/** Which hosts git may connect to for a clone (docs/worker-agent.md, "Repository addresses"). */
export interface RepoNetworkPolicy {
  /** Comma-separated CIDRs allowed although not public (--repo-allow-cidrs, AGENT_REPO_ALLOW_CIDRS). */
  allowCidrs: string;
  /** Host name resolution; the system resolver unless a test points it at its own DNS server. */
  resolve?: Resolve;
}

/** How git is told to connect to the address that was checked, and only to it. */
export interface PinnedRepo {
  url: string;
  /** `-c name=value` pairs for every git command that may touch the network. */
  gitConfig: string[];
  env: Record<string, string>;
  host: string | null;
  address: string | null;
}

const DEFAULT_PORTS: Record<string, number> = { "https:": 443, "http:": 80, "ssh:": 22, "git:": 9418 };

/**
 * Resolves the repository's host, refuses it unless every address is public (the webhook policy,
 * src/net/address-policy.ts) or allowed, and pins git to the address checked, so a name that
 * resolves differently a moment later (DNS rebinding) changes nothing:
 * - https/http: curl is handed the address (`http.curloptResolve`) and follows no redirects,
 *   since a redirect would name a host nobody checked; TLS still verifies the host name;
 * - ssh (and `user@host:path`): ssh connects to the address (`HostName`) and checks the host key
 *   under the name (`HostKeyAlias`). The ssh command is a constant string; the values reach it
 *   as environment variables, so nothing from the URL is parsed by a shell;
 * - git://: the URL names the address itself (nothing there verifies the host name).
 * file:// URLs are governed by --allow-local-repos instead and are returned as they are.
 * Throws SourceValidationError for a refused host; resolution failures propagate.
 */
export async function pinRepoAddress(url: string, policy: RepoNetworkPolicy, inheritedEnv: Record<string, string | undefined>): Promise<PinnedRepo> {
  const scp = SCP_LIKE.test(url) ? /^[^@]+@([^:]+):/.exec(url) : null;
  const parsed = scp ? null : new URL(url);
  if (parsed?.protocol === "file:") return { url, gitConfig: [], env: {}, host: null, address: null };
  const scheme = scp ? "ssh:" : parsed!.protocol;
  const host = scp ? scp[1]! : bareHost(parsed!.hostname);
  const port = parsed?.port ? Number(parsed.port) : DEFAULT_PORTS[scheme]!;
  let address: string;
  try {
    address = await resolvePublicAddress(host, { allow: parseAllowCidrs(policy.allowCidrs), resolve: policy.resolve });
  } catch (err) {
    if (!(err instanceof BlockedAddressError)) throw err;
    const where = err.address === err.host ? `${err.host} is` : `${err.host} resolves to ${err.address}, which is`;
    throw new SourceValidationError(
      `repository host ${where} not a public internet address, so git does not connect to it; a private git server must be allowed by the worker's operator (--repo-allow-cidrs or AGENT_REPO_ALLOW_CIDRS)`,
    );
  }
  const literal = isIP(host) !== 0;
  switch (scheme) {
    case "https:":
    case "http:": {
      const pin = literal ? [] : ["-c", `http.curloptResolve=${host}:${port}:${isIP(address) === 6 ? `[${address}]` : address}`];
      return { url, gitConfig: [...pin, "-c", "http.followRedirects=false"], env: {}, host, address };
    }
    case "ssh:": {
      const base = inheritedEnv.GIT_SSH_COMMAND?.trim() || "ssh";
      return {
        url,
        gitConfig: [],
        env: { GIT_SSH_COMMAND: `${base} -o HostName="$WH_GIT_SSH_ADDRESS" -o HostKeyAlias="$WH_GIT_SSH_HOST"`, WH_GIT_SSH_ADDRESS: address, WH_GIT_SSH_HOST: host },
        host,
        address,
      };
    }
    default: {
      const pinned = new URL(url);
      pinned.hostname = isIP(address) === 6 ? `[${address}]` : address;
      return { url: pinned.toString(), gitConfig: [], env: {}, host, address };
    }
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
