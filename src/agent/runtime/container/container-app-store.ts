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
  /**
   * The network holder the container joins (network-holder.ts), which publishes `port`; null when
   * the container publishes it itself (no holder could be made, or a record of an older agent).
   */
  holderId: z.string().nullable().default(null),
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
  /**
   * The last write of each app's record still going: writes of one app run one after another, in
   * the order they were asked for. Two at once (the log cursor's save of the serving record and a
   * deploy's save of the new one) shared the temporary file, and the second rename failed with
   * ENOENT; out of order, the older record could be the one left on disk.
   */
  private readonly writes = new Map<number, Promise<void>>();

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

  /**
   * Writes through a temporary file and a rename, so a crash never leaves half a record. The
   * record is taken as it is at the call (callers keep changing the log cursor in it).
   */
  save(record: ContainerAppRecord): Promise<void> {
    const json = JSON.stringify(record);
    return this.inOrder(record.appId, async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file(record.appId)}.tmp`;
      await writeFile(tmp, json, { mode: 0o600 });
      await rename(tmp, this.file(record.appId));
    });
  }

  remove(appId: number): Promise<void> {
    return this.inOrder(appId, () => rm(this.file(appId), { force: true }));
  }

  /** Runs `write` after every earlier write of the app has ended (failed ones too). */
  private inOrder(appId: number, write: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(appId) ?? Promise.resolve()).catch(() => undefined).then(write);
    this.writes.set(appId, next);
    const forget = () => {
      if (this.writes.get(appId) === next) this.writes.delete(appId);
    };
    next.then(forget, forget);
    return next;
  }
}

export type { LogCursor };
