-- Teams with roles (docs/teams.md). Apps, domains, webhooks, alert rules and git provider links
-- belong to a team; the plan is the team's. Every user has a personal team: the trigger below
-- creates it with the user row (sign-up, OpenID sign-in, tests), and this migration creates one
-- for every existing user and moves the user's resources into it. The user_id columns stay as
-- "created by".
CREATE TYPE "TeamRole" AS ENUM ('owner', 'admin', 'developer', 'viewer');

CREATE TABLE "teams" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "personal" BOOLEAN NOT NULL DEFAULT false,
    "plan" TEXT NOT NULL DEFAULT 'free',
    -- Teams are deleted softly: their apps are deleted through the apps' own path first, and
    -- rows that point at the team (audit events) keep their meaning.
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Temporary link used by this migration to find each user's personal team.
    "personal_user_id" INTEGER,
    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "team_members" (
    "team_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "role" "TeamRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "team_members_pkey" PRIMARY KEY ("team_id", "user_id")
);
CREATE INDEX "team_members_user_id_idx" ON "team_members"("user_id");
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- An invitation is a signed link mailed to one address; only the sha256 of its token is kept.
CREATE TABLE "team_invitations" (
    "id" SERIAL NOT NULL,
    "team_id" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "role" "TeamRole" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "invited_by_user_id" INTEGER,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "team_invitations_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "team_invitations_token_hash_key" ON "team_invitations"("token_hash");
CREATE INDEX "team_invitations_team_id_created_at_idx" ON "team_invitations"("team_id", "created_at");
CREATE INDEX "team_invitations_invited_by_user_id_idx" ON "team_invitations"("invited_by_user_id");
ALTER TABLE "team_invitations" ADD CONSTRAINT "team_invitations_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "team_invitations" ADD CONSTRAINT "team_invitations_invited_by_user_id_fkey" FOREIGN KEY ("invited_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- A personal team for every existing user, with the user's plan.
INSERT INTO "teams" ("name", "personal", "plan", "personal_user_id")
SELECT 'Personal', true, u."plan", u."id" FROM "users" u ORDER BY u."id";
INSERT INTO "team_members" ("team_id", "user_id", "role")
SELECT t."id", t."personal_user_id", 'owner' FROM "teams" t;

-- The team column on each resource, filled from its user's personal team.
ALTER TABLE "apps" ADD COLUMN "team_id" INTEGER;
UPDATE "apps" a SET "team_id" = t."id" FROM "teams" t WHERE t."personal_user_id" = a."user_id";
ALTER TABLE "apps" ALTER COLUMN "team_id" SET NOT NULL;
CREATE INDEX "apps_team_id_status_idx" ON "apps"("team_id", "status");
-- RESTRICT: a team is never removed under its apps (team deletion deletes the apps first).
ALTER TABLE "apps" ADD CONSTRAINT "apps_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "domains" ADD COLUMN "team_id" INTEGER;
UPDATE "domains" d SET "team_id" = t."id" FROM "teams" t WHERE t."personal_user_id" = d."user_id";
ALTER TABLE "domains" ALTER COLUMN "team_id" SET NOT NULL;
CREATE INDEX "domains_team_id_idx" ON "domains"("team_id");
ALTER TABLE "domains" ADD CONSTRAINT "domains_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "webhooks" ADD COLUMN "team_id" INTEGER;
UPDATE "webhooks" w SET "team_id" = t."id" FROM "teams" t WHERE t."personal_user_id" = w."user_id";
ALTER TABLE "webhooks" ALTER COLUMN "team_id" SET NOT NULL;
CREATE INDEX "webhooks_team_id_idx" ON "webhooks"("team_id");
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "app_alert_rules" ADD COLUMN "team_id" INTEGER;
UPDATE "app_alert_rules" r SET "team_id" = t."id" FROM "teams" t WHERE t."personal_user_id" = r."user_id";
ALTER TABLE "app_alert_rules" ALTER COLUMN "team_id" SET NOT NULL;
CREATE INDEX "app_alert_rules_team_id_idx" ON "app_alert_rules"("team_id");
ALTER TABLE "app_alert_rules" ADD CONSTRAINT "app_alert_rules_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Git provider links: one per team and provider (was per user); the token stays encrypted for
-- the user who linked it (user_id).
ALTER TABLE "git_provider_tokens" ADD COLUMN "team_id" INTEGER;
UPDATE "git_provider_tokens" g SET "team_id" = t."id" FROM "teams" t WHERE t."personal_user_id" = g."user_id";
ALTER TABLE "git_provider_tokens" ALTER COLUMN "team_id" SET NOT NULL;
DROP INDEX "git_provider_tokens_user_id_provider_key";
CREATE UNIQUE INDEX "git_provider_tokens_team_id_provider_key" ON "git_provider_tokens"("team_id", "provider");
CREATE INDEX "git_provider_tokens_user_id_idx" ON "git_provider_tokens"("user_id");
ALTER TABLE "git_provider_tokens" ADD CONSTRAINT "git_provider_tokens_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The team an audit event happened in (NULL for account events), for the per-team audit log.
ALTER TABLE "audit_events" ADD COLUMN "team_id" INTEGER;
UPDATE "audit_events" e SET "team_id" = t."id" FROM "teams" t
 WHERE t."personal_user_id" = e."user_id" AND e."target_type" IN ('app', 'domain', 'webhook', 'git_provider', 'env');
CREATE INDEX "audit_events_team_id_created_at_idx" ON "audit_events"("team_id", "created_at");
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The team the session is working in (the team switcher); NULL or a team the user left means
-- the personal team.
ALTER TABLE "sessions" ADD COLUMN "current_team_id" INTEGER;
CREATE INDEX "sessions_current_team_id_idx" ON "sessions"("current_team_id");
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_current_team_id_fkey" FOREIGN KEY ("current_team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "teams" DROP COLUMN "personal_user_id";

-- Every new user gets a personal team in the same transaction as the user row, whichever path
-- created it (src/server/auth/sign-up.ts, the OpenID sign-in, tests), with the user's plan.
CREATE FUNCTION "create_personal_team"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_team_id INTEGER;
BEGIN
  INSERT INTO "teams" ("name", "personal", "plan") VALUES ('Personal', true, NEW."plan") RETURNING "id" INTO new_team_id;
  INSERT INTO "team_members" ("team_id", "user_id", "role") VALUES (new_team_id, NEW."id", 'owner');
  RETURN NEW;
END;
$$;
CREATE TRIGGER "users_personal_team" AFTER INSERT ON "users" FOR EACH ROW EXECUTE FUNCTION "create_personal_team"();
