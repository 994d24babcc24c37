import { runCommand } from "../../agent/runtime/run-command";
import { pinRepoAddress, SourceValidationError } from "../../agent/runtime/repo-source";
import { validation } from "../errors/domain-errors";
import { usefulGitLine } from "../../agent/runtime/git-error-line";

export interface RepoCheckOptions {
  allowLocal: boolean;
  /** REPO_ALLOW_CIDRS: private addresses the operator allowed. */
  allowCidrs: string;
  timeoutMs: number;
}

// The one useful line of git's stderr: shared with the worker's clone (src/agent/runtime/git-checkout.ts).
export { usefulGitLine };

/**
 * Asks the repository, before an app is saved, whether the branch exists: `git ls-remote` with
 * the same hardening and address pinning the worker's clone uses (src/agent/runtime/git-checkout.ts),
 * so a name that resolves to a private address is refused here too and git connects only to the
 * address that was checked. Throws a VALIDATION error on the field to fix (repoUrl or branch).
 * The URL and branch have already passed repo-url.ts and git-ref.ts.
 */
export async function assertRepoReachable(repoUrl: string, branch: string, options: RepoCheckOptions): Promise<void> {
  let pinned;
  try {
    pinned = await pinRepoAddress(repoUrl, { allowCidrs: options.allowCidrs }, process.env);
  } catch (err) {
    const message = err instanceof SourceValidationError ? err.message : `could not resolve the repository host: ${(err as Error).message}`;
    throw validation(`The repository cannot be reached: ${message}.`, { field: "repoUrl" });
  }
  const stderr: string[] = [];
  const result = await runCommand({
    argv: [
      "git",
      "-c", `protocol.file.allow=${options.allowLocal ? "always" : "never"}`,
      "-c", "protocol.ext.allow=never",
      ...pinned.gitConfig,
      "ls-remote", "--exit-code", "--heads", "--", pinned.url, `refs/heads/${branch}`,
    ],
    cwd: "/",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      ...pinned.env,
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "/bin/false",
      GIT_CONFIG_NOSYSTEM: "1",
      // Never wait for a password or a host-key answer that no one can give.
      SSH_ASKPASS: "/bin/false",
    },
    timeoutMs: options.timeoutMs,
    onLine: (stream, line) => {
      if (stream === "stderr" && stderr.length < 50) stderr.push(line);
    },
  });
  if (result.spawnError) throw new Error(`git could not be started on the control plane (${result.spawnError}); install git`);
  if (result.timedOut) {
    throw validation(`The repository did not answer within ${Math.round(options.timeoutMs / 1000)} s; check the URL and that the git server is up.`, { field: "repoUrl" });
  }
  // --exit-code: 2 means the repository answered but has no such branch.
  if (result.code === 2) throw validation(`The repository has no branch "${branch}"; enter a branch that exists.`, { field: "branch" });
  if (result.code !== 0) {
    const line = usefulGitLine(stderr) ?? `git ls-remote exited with code ${result.code}`;
    throw validation(`The repository cannot be reached: ${line}`, { field: "repoUrl" });
  }
}
