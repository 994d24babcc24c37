-- Jobs runner state kept in Postgres so any number of jobs processes agree.
-- app_alert_rules.over_since / under_since: when the metric first went over (under) the threshold
-- in the current streak; the threshold poller fires (resolves) once the streak lasts sustain_minutes.
ALTER TABLE "app_alert_rules" ADD COLUMN "over_since" TIMESTAMPTZ(3);
ALTER TABLE "app_alert_rules" ADD COLUMN "under_since" TIMESTAMPTZ(3);

-- usage_cursors: per app, the last usage tick folded in and the network byte counter seen then,
-- so a tick firing twice folds once and network bytes come from the counter's delta (resets too).
CREATE TABLE "usage_cursors" (
    "app_id" INTEGER NOT NULL,
    "last_tick" TIMESTAMPTZ(3) NOT NULL,
    "net_total" BIGINT NOT NULL,
    "prev_total" BIGINT,
    CONSTRAINT "usage_cursors_pkey" PRIMARY KEY ("app_id")
);
ALTER TABLE "usage_cursors" ADD CONSTRAINT "usage_cursors_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- webhook_deliveries: one row per attempt of a message (claimed by the insert), and when the next
-- attempt is due while a retry is scheduled.
ALTER TABLE "webhook_deliveries" ADD COLUMN "next_retry_at" TIMESTAMPTZ(3);
CREATE UNIQUE INDEX "webhook_deliveries_message_id_attempt_key" ON "webhook_deliveries"("message_id", "attempt");
