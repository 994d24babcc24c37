import type { PushEvent } from "./push-event";

/** What the check needs of an app's deployments of the pushed branch, newest first. */
export interface BranchDeployment {
  id: number;
  trigger: string;
  commitSha: string;
  createdAt: Date;
}

export type PushFreshness = { fresh: true } | { fresh: false; reason: string };

/** How many of the newest deployments of the branch the check looks at. */
export const FRESHNESS_HISTORY = 50;

/**
 * A vendor's push time is compared with our clock's deployment time; this much disagreement
 * between the two clocks is allowed before a push counts as older.
 */
export const PUSH_CLOCK_TOLERANCE_MS = 60_000;

const short = (sha: string) => sha.slice(0, 12);

/** Full and abbreviated spellings of one commit match. */
function sameCommit(a: string, b: string): boolean {
  if (!a || !b) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length <= y.length ? y.startsWith(x) : x.startsWith(y);
}

/**
 * Whether a signed push may deploy over what the app already deployed from that branch, decided
 * from the signed body alone — no clone, so only what the body states counts (docs/apps.md,
 * "Replays and older pushes"):
 *
 * - its head is the commit of the app's newest branch-head deployment: nothing new to deploy;
 * - its head is a commit deployed before that one, and the vendor does not mark the push forced:
 *   the branch was there and has moved on since, so deploying it would roll the app back;
 * - its `before` (where the branch was when it was pushed) is such an earlier commit: it was
 *   pushed before the branch reached the newest deployment — unless `before` or the pushed
 *   commits contain the newest deployment's commit, which proves the push builds on it;
 * - its vendor push time (GitHub) is older than the app's newest deployment of the branch.
 *
 * Rollbacks are not branch heads (they rebuild an old commit on purpose), so they are left out
 * of the commit rules; their time still counts, so a push made before a rollback does not undo it.
 * Manual deploys build the branch head, and count once their commit is recorded.
 */
export function judgePushFreshness(event: PushEvent, history: BranchDeployment[]): PushFreshness {
  const head = event.commitSha.toLowerCase();
  const tipIndex = history.findIndex((d) => d.trigger !== "rollback" && d.commitSha !== "");
  if (tipIndex >= 0 && head) {
    const tip = history[tipIndex]!;
    if (sameCommit(head, tip.commitSha)) {
      return { fresh: false, reason: `commit ${short(head)} is already the app's latest deployment of ${event.branch}` };
    }
    const buildsOnTip = sameCommit(event.before, tip.commitSha) || event.commitShas.some((c) => sameCommit(c, tip.commitSha));
    if (!buildsOnTip) {
      const earlier = history.slice(tipIndex + 1).filter((d) => d.trigger !== "rollback" && d.commitSha !== "" && !sameCommit(d.commitSha, tip.commitSha));
      if (!event.forced && earlier.some((d) => sameCommit(d.commitSha, head))) {
        return {
          fresh: false,
          reason: `its head commit ${short(head)} was deployed before ${short(tip.commitSha)}, the app's latest deployment of ${event.branch}, and the push is not marked as a force-push`,
        };
      }
      if (event.before && earlier.some((d) => sameCommit(d.commitSha, event.before))) {
        return {
          fresh: false,
          reason: `it was pushed on top of ${short(event.before)}, which ${event.branch} had moved past when ${short(tip.commitSha)} was deployed`,
        };
      }
    }
  }
  const newest = history[0];
  if (event.pushedAt && newest && event.pushedAt.getTime() + PUSH_CLOCK_TOLERANCE_MS < newest.createdAt.getTime()) {
    return {
      fresh: false,
      reason: `it was pushed at ${event.pushedAt.toISOString()}, before the app's latest deployment of ${event.branch} (${newest.createdAt.toISOString()})`,
    };
  }
  return { fresh: true };
}
