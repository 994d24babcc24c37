import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBackupKey } from "../../src/backup/backup-keys";
import { backupScheduleFrom, type BackupSchedule } from "../../src/backup/backup-schedule";
import { checkBackupOverdue, runScheduledBackup } from "../../src/backup/scheduled-backup";
import { BACKUP_QUEUES } from "../../src/jobs-process/handlers/backup-handlers";
import { startJobsProcess } from "../../src/jobs-process/start-jobs-process";
import { loadConfig } from "../../src/server/config/config";
import { createServices } from "../../src/server/runtime/services";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/** Issue 17 item 4: the scheduled backup is off by default, keeps BACKUP_KEEP files, alerts on failure and when overdue. */
let tdb: TestDatabase;
let dir: string;
let recipient: string;
let adminId: number;
const log = pino({ level: "silent" });

const baseEnv = () => ({ NODE_ENV: "test", DATABASE_URL: tdb.url, APP_SECRET: "scheduled-backup-secret-0123456789abcdef", DATA_DIR: join(dir, "data"), LOG_LEVEL: "silent" });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wh-scheduled-backup-"));
  recipient = (await generateBackupKey()).recipient;
  tdb = await createTestDatabase();
  adminId = (await tdb.db.user.create({ data: { email: "ops@example.com", name: "Ops", role: "admin" } })).id;
});
afterAll(async () => {
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

const openAlerts = () => tdb.db.alert.findMany({ where: { userId: adminId, sourceType: "platform_backup", status: "active" }, select: { kind: true, message: true } });

describe("scheduled backups", () => {
  it("are off unless BACKUP_INTERVAL_HOURS is set, and refuse to start with a bad recipient", () => {
    expect(backupScheduleFrom(loadConfig(baseEnv()))).toBeNull();
    expect(() => backupScheduleFrom(loadConfig({ ...baseEnv(), BACKUP_INTERVAL_HOURS: "24" }))).toThrow(/BACKUP_RECIPIENTS: No backup recipient/);
    expect(() => backupScheduleFrom(loadConfig({ ...baseEnv(), BACKUP_INTERVAL_HOURS: "24", BACKUP_RECIPIENTS: "age1nope" }))).toThrow(/must be an age recipient/);
    const schedule = backupScheduleFrom(loadConfig({ ...baseEnv(), BACKUP_INTERVAL_HOURS: "24", BACKUP_RECIPIENTS: recipient }))!;
    expect(schedule).toEqual(expect.objectContaining({ intervalHours: 24, dir: join(dir, "data", "backups"), keep: 14, recipients: [recipient] }));
  });

  it("keeps the newest BACKUP_KEEP files, alerts administrators on a failure and resolves it with the next success", async () => {
    const schedule: BackupSchedule = { intervalHours: 1, dir: join(dir, "kept"), recipients: [recipient], keep: 2, appSecret: null };
    let t = Date.parse("2026-06-01T00:00:00Z");
    const deps = { db: tdb.db, log, databaseUrl: tdb.url, now: () => new Date(t) };
    for (let i = 0; i < 3; i++) {
      t += 3_600_000;
      expect((await runScheduledBackup(deps, schedule)).ok).toBe(true);
    }
    expect(readdirSync(schedule.dir).sort()).toEqual(["wisehosting-2026-06-01T02-00-00-000Z.backup.age", "wisehosting-2026-06-01T03-00-00-000Z.backup.age"]);

    const blocked = join(dir, "not-a-folder");
    writeFileSync(blocked, "");
    t += 3_600_000;
    const failed = await runScheduledBackup(deps, { ...schedule, dir: blocked });
    expect(failed.ok).toBe(false);
    expect(await openAlerts()).toEqual([{ kind: "backup_failed", message: expect.stringMatching(/not-a-folder failed: .*(EEXIST|ENOTDIR)/) }]);
    expect(await tdb.db.backupRun.count({ where: { status: "failed", error: { not: null } } })).toBe(1);

    t += 3_600_000;
    expect((await runScheduledBackup(deps, schedule)).ok).toBe(true);
    expect(await openAlerts()).toEqual([]);
  });

  it("raises 'backup overdue' when no backup succeeded within one and a half intervals, and resolves it once one does", async () => {
    const schedule: BackupSchedule = { intervalHours: 1, dir: join(dir, "overdue"), recipients: [recipient], keep: 1, appSecret: null };
    const newest = (await tdb.db.backupRun.findFirstOrThrow({ where: { status: "succeeded" }, orderBy: { finishedAt: "desc" } })).finishedAt!;
    let t = newest.getTime() + 80 * 60_000;
    const deps = { db: tdb.db, log, databaseUrl: tdb.url, now: () => new Date(t) };
    expect(await checkBackupOverdue(deps, schedule, new Date(0))).toBe(false);
    t = newest.getTime() + 91 * 60_000;
    expect(await checkBackupOverdue(deps, schedule, new Date(0))).toBe(true);
    expect(await checkBackupOverdue(deps, schedule, new Date(0))).toBe(true);
    expect((await openAlerts()).map((a) => a.kind)).toEqual(["backup_overdue"]);
    await runScheduledBackup(deps, schedule);
    expect(await openAlerts()).toEqual([]);
    expect(await checkBackupOverdue(deps, schedule, new Date(0))).toBe(false);
  });

  it("the jobs process works the backup queue when the schedule is on", async () => {
    const config = loadConfig({ ...baseEnv(), BACKUP_INTERVAL_HOURS: "24", BACKUP_RECIPIENTS: recipient, BACKUP_DIR: join(dir, "from-jobs") });
    const services = createServices("jobs", config);
    const jobs = await startJobsProcess(services, { ticks: false, bossMax: 2 });
    try {
      const before = await tdb.db.backupRun.count();
      await jobs.boss.send(BACKUP_QUEUES.run, {});
      await expect.poll(() => tdb.db.backupRun.count({ where: { status: "succeeded", file: { startsWith: join(dir, "from-jobs") } } }), { timeout: 30_000, interval: 200 }).toBe(1);
      expect(await tdb.db.backupRun.count()).toBe(before + 1);
      expect(readdirSync(join(dir, "from-jobs"))).toHaveLength(1);
    } finally {
      await jobs.stop();
      await services.close();
    }
  }, 60_000);
});
