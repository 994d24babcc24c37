-- WiseHosting initial schema (seed 000 tables plus what the control plane needs).

CREATE TYPE "UserRole" AS ENUM ('user', 'admin');
CREATE TYPE "WorkerStatus" AS ENUM ('online', 'offline', 'draining');
CREATE TYPE "AppStatus" AS ENUM ('pending', 'deploying', 'running', 'stopped', 'crashed', 'failed', 'violated', 'deleted');
CREATE TYPE "DeploymentStatus" AS ENUM ('pending', 'building', 'succeeded', 'failed', 'cancelled');
CREATE TYPE "JobType" AS ENUM ('deploy', 'restart', 'start', 'stop', 'delete');
CREATE TYPE "JobStatus" AS ENUM ('pending', 'assigned', 'processing', 'completed', 'failed', 'cancelled');
CREATE TYPE "DomainStatus" AS ENUM ('pending', 'verified', 'failed');
CREATE TYPE "AlertStatus" AS ENUM ('active', 'acknowledged', 'resolved');
CREATE TYPE "AlertMetric" AS ENUM ('cpu', 'memory', 'network', 'disk', 'offline');
CREATE TYPE "LogStream" AS ENUM ('stdout', 'stderr');

CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "avatar_url" TEXT NOT NULL DEFAULT '',
    "google_id" TEXT,
    "password_hash" TEXT,
    "role" "UserRole" NOT NULL DEFAULT 'user',
    "plan" TEXT NOT NULL DEFAULT 'free',
    "totp_secret" TEXT,
    "totp_enabled" BOOLEAN NOT NULL DEFAULT false,
    "totp_verified_at" TIMESTAMPTZ(3),
    "totp_last_step" BIGINT,
    "password_changed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE UNIQUE INDEX "users_google_id_key" ON "users"("google_id");

CREATE TABLE "workers" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "ip" TEXT NOT NULL DEFAULT '',
    "api_key_hash" TEXT NOT NULL,
    "zone" TEXT NOT NULL DEFAULT '',
    "region_name" TEXT NOT NULL DEFAULT '',
    "status" "WorkerStatus" NOT NULL DEFAULT 'offline',
    "cap_cpu" DOUBLE PRECISION NOT NULL,
    "cap_mem" INTEGER NOT NULL,
    "used_cpu" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "used_mem" INTEGER NOT NULL DEFAULT 0,
    "cpu_used" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "mem_used" INTEGER NOT NULL DEFAULT 0,
    "disk_used" INTEGER NOT NULL DEFAULT 0,
    "running_apps" INTEGER NOT NULL DEFAULT 0,
    "wireguard_ip" TEXT,
    "last_heartbeat" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "workers_pkey" PRIMARY KEY ("id"),
    -- Reserved resources never go below zero (ReleaseWorkerResources guards too).
    CONSTRAINT "workers_used_nonnegative" CHECK ("used_cpu" >= 0 AND "used_mem" >= 0)
);
CREATE UNIQUE INDEX "workers_name_key" ON "workers"("name");
CREATE UNIQUE INDEX "workers_api_key_hash_key" ON "workers"("api_key_hash");
CREATE INDEX "workers_status_last_heartbeat_idx" ON "workers"("status", "last_heartbeat");

CREATE TABLE "apps" (
    "id" SERIAL NOT NULL,
    "uuid" UUID NOT NULL,
    "user_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "subdomain" TEXT NOT NULL,
    "status" "AppStatus" NOT NULL DEFAULT 'pending',
    "plan" TEXT NOT NULL DEFAULT 'free',
    "worker_id" INTEGER,
    "repo_url" TEXT NOT NULL DEFAULT '',
    "branch" TEXT NOT NULL DEFAULT 'main',
    "build_settings" JSONB NOT NULL DEFAULT '{}',
    "internal_port" INTEGER NOT NULL DEFAULT 8080,
    "port" INTEGER,
    "container_id" TEXT,
    "auto_deploy" BOOLEAN NOT NULL DEFAULT false,
    "webhook_secret" TEXT,
    "webhook_id" TEXT,
    "current_deployment_id" INTEGER,
    "status_reason" TEXT,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "apps_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "apps_uuid_key" ON "apps"("uuid");
CREATE UNIQUE INDEX "apps_name_key" ON "apps"("name");
CREATE UNIQUE INDEX "apps_subdomain_key" ON "apps"("subdomain");
CREATE UNIQUE INDEX "apps_webhook_id_key" ON "apps"("webhook_id");
CREATE UNIQUE INDEX "apps_current_deployment_id_key" ON "apps"("current_deployment_id");
CREATE INDEX "apps_user_id_status_idx" ON "apps"("user_id", "status");
CREATE INDEX "apps_worker_id_status_idx" ON "apps"("worker_id", "status");
CREATE INDEX "apps_repo_url_branch_idx" ON "apps"("repo_url", "branch");

CREATE TABLE "deployments" (
    "id" SERIAL NOT NULL,
    "app_id" INTEGER NOT NULL,
    "user_id" INTEGER,
    "worker_id" INTEGER,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'pending',
    "trigger" TEXT NOT NULL DEFAULT 'manual',
    "triggered_by" TEXT NOT NULL DEFAULT '',
    "commit_sha" TEXT NOT NULL DEFAULT '',
    "commit_message" TEXT NOT NULL DEFAULT '',
    "branch" TEXT NOT NULL DEFAULT '',
    "rollback_of_id" INTEGER,
    "build_logs" TEXT NOT NULL DEFAULT '',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "deployments_app_id_created_at_idx" ON "deployments"("app_id", "created_at");
CREATE INDEX "deployments_user_id_idx" ON "deployments"("user_id");
CREATE INDEX "deployments_worker_id_idx" ON "deployments"("worker_id");
CREATE INDEX "deployments_rollback_of_id_idx" ON "deployments"("rollback_of_id");
CREATE INDEX "deployments_status_idx" ON "deployments"("status");

CREATE TABLE "jobs" (
    "id" SERIAL NOT NULL,
    "type" "JobType" NOT NULL,
    "app_id" INTEGER NOT NULL,
    "deployment_id" INTEGER,
    "worker_id" INTEGER,
    "status" "JobStatus" NOT NULL DEFAULT 'pending',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "payload" TEXT NOT NULL DEFAULT '',
    "message" TEXT NOT NULL DEFAULT '',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "req_cpu" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "req_mem" INTEGER NOT NULL DEFAULT 0,
    "pending_reason" TEXT,
    "error" TEXT,
    "assigned_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "jobs_status_priority_created_at_idx" ON "jobs"("status", "priority", "created_at");
CREATE INDEX "jobs_worker_id_status_idx" ON "jobs"("worker_id", "status");
CREATE INDEX "jobs_app_id_status_idx" ON "jobs"("app_id", "status");
CREATE INDEX "jobs_deployment_id_idx" ON "jobs"("deployment_id");

CREATE TABLE "app_env_vars" (
    "id" SERIAL NOT NULL,
    "app_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "app_env_vars_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "app_env_vars_app_id_key_key" ON "app_env_vars"("app_id", "key");

CREATE TABLE "git_provider_tokens" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "username" TEXT NOT NULL DEFAULT '',
    "token" TEXT NOT NULL,
    "refresh_token" TEXT,
    "scopes" TEXT NOT NULL DEFAULT '',
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "git_provider_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "git_provider_tokens_user_id_provider_key" ON "git_provider_tokens"("user_id", "provider");

CREATE TABLE "webhooks" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "url" TEXT NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'standard',
    "secret" TEXT NOT NULL,
    "events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "total_deliveries" INTEGER NOT NULL DEFAULT 0,
    "failed_deliveries" INTEGER NOT NULL DEFAULT 0,
    "last_delivery_at" TIMESTAMPTZ(3),
    "last_status" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhooks_user_id_idx" ON "webhooks"("user_id");

CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" INTEGER NOT NULL,
    "message_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "response_code" INTEGER,
    "response_body" TEXT NOT NULL DEFAULT '',
    "duration_ms" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_deliveries_webhook_id_created_at_idx" ON "webhook_deliveries"("webhook_id", "created_at");
CREATE INDEX "webhook_deliveries_message_id_idx" ON "webhook_deliveries"("message_id");

CREATE TABLE "sessions" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "token_hash" TEXT NOT NULL,
    "ip" TEXT NOT NULL DEFAULT '',
    "country" TEXT NOT NULL DEFAULT '',
    "city" TEXT NOT NULL DEFAULT '',
    "user_agent" TEXT NOT NULL DEFAULT '',
    "device" TEXT NOT NULL DEFAULT '',
    "browser" TEXT NOT NULL DEFAULT '',
    "os" TEXT NOT NULL DEFAULT '',
    "two_factor" BOOLEAN NOT NULL DEFAULT false,
    "reauth_at" TIMESTAMPTZ(3),
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");
CREATE INDEX "sessions_user_id_created_at_idx" ON "sessions"("user_id", "created_at");
CREATE INDEX "sessions_last_seen_at_idx" ON "sessions"("last_seen_at");
CREATE INDEX "sessions_revoked_at_idx" ON "sessions"("revoked_at");

CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "ip" TEXT NOT NULL DEFAULT '',
    "user_agent" TEXT NOT NULL DEFAULT '',
    "device" TEXT NOT NULL DEFAULT '',
    "browser" TEXT NOT NULL DEFAULT '',
    "os" TEXT NOT NULL DEFAULT '',
    "country" TEXT NOT NULL DEFAULT '',
    "city" TEXT NOT NULL DEFAULT '',
    "session_id" INTEGER,
    "target_type" TEXT,
    "target_id" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_user_id_created_at_idx" ON "audit_events"("user_id", "created_at");
CREATE INDEX "audit_events_user_id_ip_idx" ON "audit_events"("user_id", "ip");

CREATE TABLE "app_alert_rules" (
    "id" SERIAL NOT NULL,
    "app_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "metric" "AlertMetric" NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "sustain_minutes" INTEGER NOT NULL DEFAULT 5,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "app_alert_rules_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "app_alert_rules_app_id_metric_key" ON "app_alert_rules"("app_id", "metric");
CREATE INDEX "app_alert_rules_user_id_idx" ON "app_alert_rules"("user_id");
CREATE INDEX "app_alert_rules_enabled_idx" ON "app_alert_rules"("enabled");

CREATE TABLE "alerts" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "app_id" INTEGER,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL DEFAULT 'warning',
    "source_type" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "status" "AlertStatus" NOT NULL DEFAULT 'active',
    "open_key" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alerts_open_key_key" ON "alerts"("open_key");
CREATE INDEX "alerts_user_id_status_created_at_idx" ON "alerts"("user_id", "status", "created_at");
CREATE INDEX "alerts_app_id_idx" ON "alerts"("app_id");
CREATE INDEX "alerts_user_id_source_type_source_id_idx" ON "alerts"("user_id", "source_type", "source_id");

CREATE TABLE "usage_samples" (
    "app_id" INTEGER NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "user_id" INTEGER NOT NULL,
    "cpu_avg" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cpu_max" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "mem_avg" BIGINT NOT NULL DEFAULT 0,
    "mem_max" BIGINT NOT NULL DEFAULT 0,
    "net_avg_mbps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "net_max_mbps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "net_bytes" BIGINT NOT NULL DEFAULT 0,
    "samples" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "usage_samples_pkey" PRIMARY KEY ("app_id", "bucket_start")
);
CREATE INDEX "usage_samples_user_id_bucket_start_idx" ON "usage_samples"("user_id", "bucket_start");
CREATE INDEX "usage_samples_bucket_start_idx" ON "usage_samples"("bucket_start");

CREATE TABLE "backup_codes" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "backup_codes_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "backup_codes_user_id_idx" ON "backup_codes"("user_id");

CREATE TABLE "pending_totps" (
    "id" SERIAL NOT NULL,
    "token_hash" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "pending_totps_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "pending_totps_token_hash_key" ON "pending_totps"("token_hash");
CREATE INDEX "pending_totps_user_id_idx" ON "pending_totps"("user_id");
CREATE INDEX "pending_totps_expires_at_idx" ON "pending_totps"("expires_at");

CREATE TABLE "domains" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "app_id" INTEGER NOT NULL,
    "hostname" TEXT NOT NULL,
    "verification_token" TEXT NOT NULL,
    "status" "DomainStatus" NOT NULL DEFAULT 'pending',
    "verified_at" TIMESTAMPTZ(3),
    "last_checked_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "domains_hostname_key" ON "domains"("hostname");
CREATE INDEX "domains_user_id_idx" ON "domains"("user_id");
CREATE INDEX "domains_app_id_status_idx" ON "domains"("app_id", "status");

CREATE TABLE "runtime_logs" (
    "id" BIGSERIAL NOT NULL,
    "app_id" INTEGER NOT NULL,
    "worker_id" INTEGER,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "stream" "LogStream" NOT NULL,
    "line" TEXT NOT NULL,
    CONSTRAINT "runtime_logs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "runtime_logs_app_id_ts_idx" ON "runtime_logs"("app_id", "ts");
CREATE INDEX "runtime_logs_worker_id_idx" ON "runtime_logs"("worker_id");
CREATE INDEX "runtime_logs_ts_idx" ON "runtime_logs"("ts");

CREATE TABLE "app_events" (
    "id" BIGSERIAL NOT NULL,
    "app_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "app_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "app_events_app_id_kind_created_at_idx" ON "app_events"("app_id", "kind", "created_at");

CREATE TABLE "git_push_deliveries" (
    "provider" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "git_push_deliveries_pkey" PRIMARY KEY ("provider", "delivery_id")
);
CREATE INDEX "git_push_deliveries_received_at_idx" ON "git_push_deliveries"("received_at");

CREATE TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "reset_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "rate_limit_buckets_reset_at_idx" ON "rate_limit_buckets"("reset_at");

CREATE TABLE "process_heartbeats" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "hostname" TEXT NOT NULL DEFAULT '',
    "pid" INTEGER NOT NULL DEFAULT 0,
    "info" JSONB NOT NULL DEFAULT '{}',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "process_heartbeats_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "process_heartbeats_kind_last_seen_at_idx" ON "process_heartbeats"("kind", "last_seen_at");

CREATE TABLE "caught_mails" (
    "id" SERIAL NOT NULL,
    "from_addr" TEXT NOT NULL DEFAULT '',
    "to_addr" TEXT NOT NULL DEFAULT '',
    "subject" TEXT NOT NULL DEFAULT '',
    "text" TEXT NOT NULL DEFAULT '',
    "html" TEXT NOT NULL DEFAULT '',
    "raw" TEXT NOT NULL DEFAULT '',
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "caught_mails_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "caught_mails_received_at_idx" ON "caught_mails"("received_at");

ALTER TABLE "apps" ADD CONSTRAINT "apps_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "apps" ADD CONSTRAINT "apps_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "apps" ADD CONSTRAINT "apps_current_deployment_id_fkey" FOREIGN KEY ("current_deployment_id") REFERENCES "deployments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_rollback_of_id_fkey" FOREIGN KEY ("rollback_of_id") REFERENCES "deployments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "app_env_vars" ADD CONSTRAINT "app_env_vars_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "git_provider_tokens" ADD CONSTRAINT "git_provider_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "app_alert_rules" ADD CONSTRAINT "app_alert_rules_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "app_alert_rules" ADD CONSTRAINT "app_alert_rules_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "usage_samples" ADD CONSTRAINT "usage_samples_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "usage_samples" ADD CONSTRAINT "usage_samples_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "backup_codes" ADD CONSTRAINT "backup_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "pending_totps" ADD CONSTRAINT "pending_totps_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "domains" ADD CONSTRAINT "domains_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "domains" ADD CONSTRAINT "domains_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "runtime_logs" ADD CONSTRAINT "runtime_logs_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "runtime_logs" ADD CONSTRAINT "runtime_logs_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "workers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "app_events" ADD CONSTRAINT "app_events_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
