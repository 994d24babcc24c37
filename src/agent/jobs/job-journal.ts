import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { JobResultPayload } from "../../protocol/worker-messages";
import { writePrivateFile } from "../state/private-file";

const journalSchema = z.array(z.object({ job_id: z.number(), status: z.enum(["completed", "failed"]) }).passthrough());
const startedSchema = z.array(z.number().int());

/**
 * Results of recent jobs, kept on disk. When the hub sends a job again (it restarted before it
 * stored our result, or we restarted) the agent answers with the stored result instead of
 * running the job twice, so a job ends exactly once. Jobs started and not finished are noted too
 * (job-started.json): an agent killed mid-job finds them on its next start and fails them with a
 * message (JobRunner.failInterrupted) instead of leaving them `processing` until the stuck timeout.
 */
export class JobJournal {
  private results = new Map<number, JobResultPayload>();
  private started = new Set<number>();
  private readonly file: string;
  private readonly startedFile: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(stateDir: string, private readonly keep = 200) {
    this.file = path.join(stateDir, "job-results.json");
    this.startedFile = path.join(stateDir, "job-started.json");
  }

  async load(): Promise<void> {
    try {
      const parsed = journalSchema.safeParse(JSON.parse(await readFile(this.file, "utf8")));
      if (parsed.success) for (const r of parsed.data) this.results.set(r.job_id, r as JobResultPayload);
    } catch {
      // No journal yet.
    }
    try {
      const parsed = startedSchema.safeParse(JSON.parse(await readFile(this.startedFile, "utf8")));
      if (parsed.success) this.started = new Set(parsed.data);
    } catch {
      // Nothing was running.
    }
  }

  /** The `n` results recorded last, oldest first. */
  recent(n: number): JobResultPayload[] {
    return [...this.results.values()].slice(-n);
  }

  /** Jobs an earlier run of the agent started and never finished (it was killed meanwhile). */
  interrupted(): number[] {
    return [...this.started].filter((id) => !this.results.has(id));
  }

  /** Notes, before any work, that this job is running here. */
  async markStarted(jobId: number): Promise<void> {
    this.started.add(jobId);
    await this.persist();
  }

  get(jobId: number): JobResultPayload | undefined {
    return this.results.get(jobId);
  }

  async record(result: JobResultPayload): Promise<void> {
    this.results.set(result.job_id, result);
    this.started.delete(result.job_id);
    while (this.results.size > this.keep) this.results.delete(this.results.keys().next().value!);
    await this.persist();
  }

  /** Both files, written in order (the results first: a result is never lost behind its start note). */
  private async persist(): Promise<void> {
    const results = JSON.stringify([...this.results.values()]);
    const started = JSON.stringify([...this.started]);
    this.writing = this.writing
      .then(() => writePrivateFile(this.file, results))
      .then(() => writePrivateFile(this.startedFile, started))
      .catch(() => undefined);
    await this.writing;
  }
}
