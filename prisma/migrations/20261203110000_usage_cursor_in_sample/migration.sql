-- The usage tick (src/server/usage/record-usage-tick.ts) kept a cursor row per app beside the
-- app's 5-minute sample, so every tick wrote two rows per running app. The cursor now lives in
-- the sample row itself: the tick slot last folded in and the network byte counter seen then.
-- The next bucket's first tick reads the counter from the app's latest sample.
ALTER TABLE "usage_samples" ADD COLUMN "last_tick" TIMESTAMPTZ(3);
ALTER TABLE "usage_samples" ADD COLUMN "net_total" BIGINT;

-- Carry each cursor into its app's latest sample, so byte deltas continue across the upgrade.
UPDATE "usage_samples" s
   SET "last_tick" = c."last_tick", "net_total" = c."net_total"
  FROM "usage_cursors" c
 WHERE s."app_id" = c."app_id"
   AND s."bucket_start" = (SELECT max(l."bucket_start") FROM "usage_samples" l WHERE l."app_id" = c."app_id");

DROP TABLE "usage_cursors";
