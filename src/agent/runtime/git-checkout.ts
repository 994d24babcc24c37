import { JobCancelledError } from "./job-cancelled";
import { usefulGitLine } from "./git-error-line";
import { runCommand } from "./run-command";
import { pinRepoAddress, redactUrl, SourceValidationError, validateBranch, validateCommitSha, validateRepoUrl, type PinnedRepo, type RepoNetworkPolicy } from "./repo-source";

export interface CheckoutRequest {
  repoUrl: string;
  branch: string;
  /** Empty: the branch head. */
  commitSha: string;
  dir: string;
  allowLocal: boolean;
  /** Which repository hosts git may connect to (default: public addresses only). */
  network?: RepoNetworkPolicy;
  timeoutMs: number;
  /** The clone's (and fetch's) own limit within timeoutMs (AGENT_CLONE_TIMEOUT_SECONDS). */
  cloneTimeoutMs?: number;
  /** Aborted when the job is cancelled: git's process group is killed. */
  signal?: AbortSignal;
  env: Record<string, string>;
  onLine: (line: string) => void;
}

export interface CommitIdentity {
  sha: string;
  message: string;
}

export class CheckoutError extends Error {
  override name = "CheckoutError";
}

/**
 * Clones one branch and checks out the requested commit. Every value is validated first and
 * passed as its own argv element behind `--`, so nothing in a URL or ref can become a git option;
 * the repository's host must resolve to a public address (or one the operator allowed), and git
 * is pinned to the address that was checked (`pinRepoAddress`).
 */
export async function checkoutCommit(req: CheckoutRequest): Promise<CommitIdentity> {
  const url = validateRepoUrl(req.repoUrl, { allowLocal: req.allowLocal });
  const branch = validateBranch(req.branch);
  const sha = validateCommitSha(req.commitSha);
  let pinned: PinnedRepo;
  try {
    pinned = await pinRepoAddress(url, req.network ?? { allowCidrs: "" }, req.env);
  } catch (err) {
    if (err instanceof SourceValidationError) throw err;
    throw new CheckoutError(`could not resolve the repository host of ${redactUrl(url)}: ${(err as Error).message}`);
  }
  // Config that keeps a hostile repository or URL from reaching beyond the clone.
  const hardening = [
    "-c", `protocol.file.allow=${req.allowLocal ? "always" : "never"}`,
    "-c", "protocol.ext.allow=never",
    "-c", "core.symlinks=true",
    "-c", "advice.detachedHead=false",
    ...pinned.gitConfig,
  ];
  const env = { ...req.env, ...pinned.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "/bin/false", GIT_CONFIG_NOSYSTEM: "1" };
  const git = async (args: string[], what: string, network = false) => {
    const tail: string[] = [];
    // Talking to the repository has its own limit, so a server that accepts and never answers
    // fails the deploy in minutes, not at the end of the whole build time.
    const cloneLimited = network && req.cloneTimeoutMs !== undefined && req.cloneTimeoutMs < req.timeoutMs;
    const timeoutMs = cloneLimited ? req.cloneTimeoutMs! : req.timeoutMs;
    const result = await runCommand({
      argv: ["git", ...hardening, ...args],
      cwd: req.dir,
      env,
      timeoutMs,
      signal: req.signal,
      onLine: (_stream, line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        req.onLine(line);
      },
    });
    if (result.spawnError) throw new CheckoutError(`git could not be started (${result.spawnError}); install git on the worker`);
    if (result.cancelled) throw new JobCancelledError(`while ${what}`);
    if (result.timedOut && cloneLimited) {
      throw new CheckoutError(
        `${what} timed out after ${Math.round(timeoutMs / 1000)} s: the repository did not answer in time (the worker's clone timeout, AGENT_CLONE_TIMEOUT_SECONDS); check that the git server is up and the URL is right`,
      );
    }
    if (result.timedOut) throw new CheckoutError(`${what} timed out after ${Math.round(timeoutMs / 1000)} s`);
    // git's generic advice ("Please make sure you have the correct access rights…") left out: one line says why.
    if (result.code !== 0) throw new CheckoutError(`${what} failed: ${usefulGitLine(tail) ?? `exit code ${result.code}`}`);
    return tail;
  };

  if (pinned.address && pinned.address !== pinned.host) req.onLine(`Repository host ${pinned.host} is ${pinned.address}`);
  req.onLine(`$ git clone --branch ${branch} ${redactUrl(url)}`);
  await git(["clone", "--quiet", "--no-recurse-submodules", "--single-branch", "--branch", branch, "--", pinned.url, "src"], `cloning ${redactUrl(url)} (branch ${branch})`, true);
  const repo = ["-C", "src"];
  if (sha) {
    req.onLine(`$ git checkout ${sha}`);
    const has = await runCommand({ argv: ["git", ...repo, "cat-file", "-e", `${sha}^{commit}`], cwd: req.dir, env, timeoutMs: 30_000 });
    if (has.code !== 0) await git([...repo, "fetch", "--quiet", "origin", "--", sha], `fetching commit ${sha}`, true);
    await git([...repo, "checkout", "--quiet", "--detach", sha, "--"], `checking out ${sha}`);
  }
  const shaLines: string[] = [];
  await runCommand({ argv: ["git", ...repo, "rev-parse", "HEAD"], cwd: req.dir, env, timeoutMs: 30_000, onLine: (_s, l) => shaLines.push(l) });
  const messageLines: string[] = [];
  await runCommand({ argv: ["git", ...repo, "log", "-1", "--format=%B"], cwd: req.dir, env, timeoutMs: 30_000, onLine: (_s, l) => messageLines.push(l) });
  const head = (shaLines[0] ?? "").trim();
  if (!/^[0-9a-f]{40,64}$/.test(head)) throw new CheckoutError("could not read the checked-out commit id");
  return { sha: head, message: messageLines.join("\n").trim().slice(0, 2000) };
}
