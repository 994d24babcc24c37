-- backup_runs: one row per scheduled backup attempt (src/backup/scheduled-backup.ts). The jobs
-- process raises an alert when the newest success is older than BACKUP_INTERVAL_HOURS allows.
CREATE TABLE "backup_runs" (
    "id" SERIAL NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "file" TEXT,
    "bytes" BIGINT,
    "error" TEXT,
    CONSTRAINT "backup_runs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "backup_runs_status_finished_at_idx" ON "backup_runs"("status", "finished_at");
