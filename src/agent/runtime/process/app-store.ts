import { readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resourceLimitsSchema } from "../../../protocol/job-payload";
import { ensurePrivateDir, writePrivateFile } from "../../state/private-file";
import { killRecordedBuild } from "./build-process-marker";

const releaseSchema = z.object({
  id: z.string(),
  dir: z.string(),
  cwd: z.string(),
  argv: z.array(z.string()).min(1),
  /** The app's env (decrypted values, PORT included): kept 0600 so a restart can run the app again. */
  env: z.record(z.string(), z.string()),
  port: z.number().int(),
  commitSha: z.string(),
  commitMessage: z.string(),
  kind: z.enum(["node", "static"]),
  diskBytes: z.number().default(0),
  /** The app's health check as its deploy applied it (src/agent/runtime/runtime-report.ts); absent in older records. */
  healthCheck: z.object({ path: z.string(), timeoutMs: z.number().int().positive() }).optional(),
});
export type Release = z.infer<typeof releaseSchema>;

const appRecordSchema = z.object({
  appId: z.number().int(),
  appUuid: z.string(),
  appName: z.string(),
  desired: z.enum(["running", "stopped"]),
  limits: resourceLimitsSchema.nullable(),
  release: releaseSchema.nullable(),
  process: z.object({ pid: z.number().int(), startTime: z.number() }).nullable(),
  /** Why the app was last stopped, reported on reconnect. */
  stopReason: z.string().optional(),
  /** Set when the agent stopped the app for breaking a plan limit (reported as a violation, not a stop). */
  violation: z.string().optional(),
});
export type AppRecord = z.infer<typeof appRecordSchema>;

/** Per-app directories under <state>/apps/<app id>/, each with its app.json. */
export class AppStore {
  readonly root: string;

  constructor(stateDir: string) {
    this.root = path.join(stateDir, "apps");
  }

  appDir(appId: number): string {
    if (!Number.isSafeInteger(appId) || appId < 0) throw new Error(`bad app id ${appId}`);
    return path.join(this.root, String(appId));
  }

  releaseDir(appId: number, releaseId: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(releaseId)) throw new Error(`bad release id ${releaseId}`);
    return path.join(this.appDir(appId), "releases", releaseId);
  }

  async save(record: AppRecord): Promise<void> {
    const dir = this.appDir(record.appId);
    await ensurePrivateDir(dir);
    await writePrivateFile(path.join(dir, "app.json"), `${JSON.stringify(record, null, 2)}\n`);
  }

  async loadAll(): Promise<AppRecord[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return [];
    }
    const records: AppRecord[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const parsed = appRecordSchema.safeParse(JSON.parse(await readFile(path.join(this.root, entry, "app.json"), "utf8")));
        if (parsed.success) records.push(parsed.data);
      } catch {
        // A half-created app directory (deploy interrupted before the first save): nothing to run.
      }
    }
    return records;
  }

  /** Deletes app and release directories no record refers to (deploys cut short by a crash). */
  async removeOrphans(records: AppRecord[]): Promise<string[]> {
    const removed: string[] = [];
    const byId = new Map(records.map((r) => [String(r.appId), r]));
    const entries = await readdir(this.root).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const record = byId.get(entry);
      if (!record) {
        for (const release of await readdir(path.join(this.root, entry, "releases")).catch(() => [] as string[])) {
          await killRecordedBuild(path.join(this.root, entry, "releases", release));
        }
        await rm(path.join(this.root, entry), { recursive: true, force: true });
        removed.push(path.join(this.root, entry));
        continue;
      }
      const releases = path.join(this.root, entry, "releases");
      for (const release of await readdir(releases).catch(() => [] as string[])) {
        const dir = path.join(releases, release);
        if (dir !== record.release?.dir) {
          await killRecordedBuild(dir);
          await rm(dir, { recursive: true, force: true });
          removed.push(dir);
        }
      }
    }
    return removed;
  }

  async remove(appId: number): Promise<void> {
    await rm(this.appDir(appId), { recursive: true, force: true });
  }
}
