-- Per-app health check (docs/apps.md, "Build and health-check settings"): a new release must answer
-- GET health_check_path with a 2xx/3xx within health_check_timeout_seconds before it gets traffic.
ALTER TABLE "apps" ADD COLUMN "health_check_path" TEXT NOT NULL DEFAULT '/';
ALTER TABLE "apps" ADD COLUMN "health_check_timeout_seconds" INTEGER NOT NULL DEFAULT 60;

-- app_runtime_reports: how each app runs on its worker (container or process, image, limits and
-- who enforces them), as the worker last reported it in job_result.runtime
-- (src/protocol/runtime-report.ts). One row per app, replaced on every report.
CREATE TABLE "app_runtime_reports" (
    "app_id" INTEGER NOT NULL,
    "worker_id" INTEGER,
    "report" JSONB NOT NULL,
    "reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "app_runtime_reports_pkey" PRIMARY KEY ("app_id")
);
CREATE INDEX "app_runtime_reports_worker_id_idx" ON "app_runtime_reports"("worker_id");
ALTER TABLE "app_runtime_reports" ADD CONSTRAINT "app_runtime_reports_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "app_runtime_reports" ADD CONSTRAINT "app_runtime_reports_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
