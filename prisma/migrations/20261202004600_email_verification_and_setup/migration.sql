-- Email verification, confirmed email changes and the explicit first administrator (docs/accounts.md).
-- users.email_verified_at: when the current address was proven (a link mailed to it was used, or
-- the OpenID provider vouched for it). ADMIN_EMAILS grants admin only to a verified address.
-- Accounts created before this migration are left unverified: nothing proved their address.
ALTER TABLE "users" ADD COLUMN "email_verified_at" TIMESTAMPTZ(3);
-- users.pending_email: a requested new sign-in address, applied only when the link mailed to it
-- is used; a newer request replaces it (and voids the older link).
ALTER TABLE "users" ADD COLUMN "pending_email" TEXT;
ALTER TABLE "users" ADD COLUMN "pending_email_requested_at" TIMESTAMPTZ(3);

-- platform_setup: one row. installation_key makes this installation's setup token (an HMAC of it
-- under APP_SECRET, so every process derives the same token without storing it); completed_at
-- ends the token for good once it made the first administrator.
CREATE TABLE "platform_setup" (
    "id" INTEGER NOT NULL,
    "installation_key" TEXT NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "completed_by_user_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "platform_setup_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "platform_setup_single_row" CHECK ("id" = 1)
);
CREATE INDEX "platform_setup_completed_by_user_id_idx" ON "platform_setup"("completed_by_user_id");
ALTER TABLE "platform_setup" ADD CONSTRAINT "platform_setup_completed_by_user_id_fkey" FOREIGN KEY ("completed_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
