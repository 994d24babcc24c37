import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resourceLimitsSchema } from "../../../protocol/job-payload";
import type { LogCursor } from "./log-cursor";

/**
 * What the container runtime keeps per app in the agent's state directory
 * (`<stateDir>/container-apps/<appId>.json`, mode 0600: it holds the app's env): the deployment
 * that serves, its container, port and limits, the desired state, and the log cursor the next
 * agent run resumes following from (log-cursor.ts), so adopted containers' lines are not sent twice.
 */
export const containerAppRecordSchema = z.object({
  appId: z.number().int(),
  desired: z.enum(["running", "stopped"]),
  deploymentId: z.number().int(),
  image: z.string(),
  containerId: z.string(),
  port: z.number().int(),
  internalPort: z.number().int(),
  env: z.record(z.string(), z.string()),
  limits: resourceLimitsSchema,
  /** The app's health check as its deploy applied it (start and restart check the same); absent in older records. */
  healthCheck: z.object({ path: z.string(), timeoutMs: z.number().int().positive() }).optional(),
  readOnlyRootfs: z.boolean(),
  commitSha: z.string(),
  commitMessage: z.string(),
  /** Set while stopped for a plan violation. */
  violation: z.string().nullable().default(null),
  logCursor: z.object({ time: z.string(), seen: z.number().int() }).nullable().default(null),
});
export type ContainerAppRecord = z.infer<typeof containerAppRecordSchema>;

export class ContainerAppStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, "container-apps");
  }

  private file(appId: number): string {
    return path.join(this.dir, `${appId}.json`);
  }

  async loadAll(): Promise<ContainerAppRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: ContainerAppRecord[] = [];
    for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
      try {
        const parsed = containerAppRecordSchema.safeParse(JSON.parse(await readFile(path.join(this.dir, name), "utf8")));
        if (parsed.success) out.push(parsed.data);
      } catch {
        // A record cut short by a crash mid-write is skipped (writes go through a rename, so this is rare).
      }
    }
    return out;
  }

  /** Writes through a temporary file and a rename, so a crash never leaves half a record. */
  async save(record: ContainerAppRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file(record.appId)}.tmp`;
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, this.file(record.appId));
  }

  async remove(appId: number): Promise<void> {
    await rm(this.file(appId), { force: true });
  }
}

export type { LogCursor };
