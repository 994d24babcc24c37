import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { JobResultPayload } from "../../protocol/worker-messages";
import { writePrivateFile } from "../state/private-file";

const journalSchema = z.array(z.object({ job_id: z.number(), status: z.enum(["completed", "failed"]) }).passthrough());

/**
 * Results of recent jobs, kept on disk. When the hub sends a job again (it restarted before it
 * stored our result, or we restarted) the agent answers with the stored result instead of
 * running the job twice, so a job ends exactly once.
 */
export class JobJournal {
  private results = new Map<number, JobResultPayload>();
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(stateDir: string, private readonly keep = 200) {
    this.file = path.join(stateDir, "job-results.json");
  }

  async load(): Promise<void> {
    try {
      const parsed = journalSchema.safeParse(JSON.parse(await readFile(this.file, "utf8")));
      if (parsed.success) for (const r of parsed.data) this.results.set(r.job_id, r as JobResultPayload);
    } catch {
      // No journal yet.
    }
  }

  get(jobId: number): JobResultPayload | undefined {
    return this.results.get(jobId);
  }

  async record(result: JobResultPayload): Promise<void> {
    this.results.set(result.job_id, result);
    while (this.results.size > this.keep) this.results.delete(this.results.keys().next().value!);
    const snapshot = JSON.stringify([...this.results.values()]);
    this.writing = this.writing.then(() => writePrivateFile(this.file, snapshot)).catch(() => undefined);
    await this.writing;
  }
}
