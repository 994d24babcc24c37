import { describe, expect, it } from "vitest";
import type { PushEvent } from "../../src/server/git/push/push-event";
import { judgePushFreshness, PUSH_CLOCK_TOLERANCE_MS, type BranchDeployment } from "../../src/server/git/push/push-freshness";

const c = (n: number) => n.toString(16).padStart(2, "0").repeat(20);
const T0 = new Date("2026-11-22T07:00:00Z").getTime();

function push(over: Partial<PushEvent>): PushEvent {
  return { vendor: "gitlab", repoUrls: [], branch: "main", commitSha: c(9), commitMessage: "", pusher: "", deleted: false, before: "", commitShas: [], forced: false, pushedAt: null, ...over };
}

/** Deployments newest first, one minute apart, the newest at T0. */
function history(...rows: [trigger: string, commit: number | null][]): BranchDeployment[] {
  return rows.map(([trigger, commit], i) => ({ id: 100 - i, trigger, commitSha: commit === null ? "" : c(commit), createdAt: new Date(T0 - i * 60_000) }));
}

describe("judgePushFreshness", () => {
  it("deploys anything onto an app without deployments of the branch", () => {
    expect(judgePushFreshness(push({ pushedAt: new Date(0) }), [])).toEqual({ fresh: true });
  });

  it("deploys a push that builds on the newest deployment, named as before or among its commits (abbreviated too)", () => {
    const h = history(["push", 3], ["push", 2], ["push", 1]);
    expect(judgePushFreshness(push({ before: c(3), commitSha: c(4) }), h).fresh).toBe(true);
    expect(judgePushFreshness(push({ before: c(2), commitShas: [c(3).slice(0, 12), c(4)], commitSha: c(4) }), h).fresh).toBe(true);
  });

  it("refuses the newest deployment's own commit, an earlier deployed head, and a push on top of an earlier commit", () => {
    const h = history(["push", 3], ["manual", 2], ["push", 1]);
    expect(judgePushFreshness(push({ commitSha: c(3) }), h)).toEqual({ fresh: false, reason: expect.stringMatching(/already the app's latest deployment/) });
    expect(judgePushFreshness(push({ commitSha: c(2), before: c(7) }), h)).toEqual({ fresh: false, reason: expect.stringMatching(/was deployed before 030303/) });
    expect(judgePushFreshness(push({ commitSha: c(8), before: c(1) }), h)).toEqual({ fresh: false, reason: expect.stringMatching(/pushed on top of 010101/) });
  });

  it("a force-push back to an earlier commit deploys; its before still has to be current", () => {
    const h = history(["push", 3], ["push", 2]);
    expect(judgePushFreshness(push({ commitSha: c(2), before: c(3), forced: true }), h).fresh).toBe(true);
    expect(judgePushFreshness(push({ commitSha: c(2), before: c(7), forced: true }), h).fresh).toBe(true);
    expect(judgePushFreshness(push({ commitSha: c(5), before: c(2), forced: true }), h).fresh).toBe(false);
  });

  it("a rollback is not a branch head, but a push made before it does not undo it", () => {
    const h = history(["rollback", 1], ["push", 3], ["push", 1]);
    // The next push after a rollback builds on the branch head (3), not on the rolled-back commit.
    expect(judgePushFreshness(push({ before: c(3), commitSha: c(4), pushedAt: new Date(T0 + 1000) }), h).fresh).toBe(true);
    expect(judgePushFreshness(push({ before: c(3), commitSha: c(4), pushedAt: new Date(T0 - PUSH_CLOCK_TOLERANCE_MS - 1000) }), h)).toEqual({
      fresh: false,
      reason: expect.stringMatching(/pushed at .* before the app's latest deployment/),
    });
  });

  it("a vendor push time within the clock tolerance of the newest deployment deploys", () => {
    const h = history(["push", 3]);
    expect(judgePushFreshness(push({ commitSha: c(4), pushedAt: new Date(T0 - PUSH_CLOCK_TOLERANCE_MS + 1000) }), h).fresh).toBe(true);
  });

  it("a manual deploy whose commit is not recorded yet only counts by its time", () => {
    const h = history(["manual", null], ["push", 3], ["push", 2]);
    expect(judgePushFreshness(push({ before: c(3), commitSha: c(4) }), h).fresh).toBe(true);
    expect(judgePushFreshness(push({ before: c(2), commitSha: c(3) }), h).fresh).toBe(false);
  });
});
