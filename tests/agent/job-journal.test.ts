import { afterAll, describe, expect, it } from "vitest";
import { JobJournal } from "../../src/agent/jobs/job-journal";
import { tempStateDir } from "./support/runtime-harness";

const state = tempStateDir();
afterAll(() => state.cleanup());

describe("the agent's job journal across restarts", () => {
  it("names the jobs a killed run started and never finished, and forgets one once its result is recorded", async () => {
    const first = new JobJournal(state.dir);
    await first.load();
    await first.markStarted(7);
    await first.markStarted(8);
    await first.record({ job_id: 8, status: "completed" });
    // The agent dies here: a new run reads what the old one wrote.
    const second = new JobJournal(state.dir);
    await second.load();
    expect(second.interrupted()).toEqual([7]);
    expect(second.get(8)?.status).toBe("completed");
    await second.record({ job_id: 7, status: "failed", error: "interrupted" });
    const third = new JobJournal(state.dir);
    await third.load();
    expect(third.interrupted()).toEqual([]);
    expect(third.get(7)?.status).toBe("failed");
  });
});
