-- The foreign key from usage_samples.app_id to apps made every sample the usage tick inserts take
-- a key-share lock on its app's row: 100,000 lock look-ups in the first tick of each 5-minute
-- bucket for 100,000 running apps, about 500 ms of a 1.8 s statement (EXPLAIN ANALYZE of the tick,
-- docs/performance.md). Samples are only written for apps the tick sees running
-- (src/server/usage/record-usage-tick.ts). They still go with their app: a statement that deletes
-- apps (erasing one, or a user's apps through their cascade) deletes their samples in the same
-- transaction. A sample a tick writes for an app deleted while the tick ran ages out with the
-- retention (src/server/pruning/prune-tasks.ts); no reader can reach it (usage-series.ts asks for
-- an app of the caller's).
ALTER TABLE "usage_samples" DROP CONSTRAINT "usage_samples_app_id_fkey";

CREATE FUNCTION "delete_usage_samples_of_deleted_apps"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "usage_samples" s USING deleted_apps d WHERE s."app_id" = d."id";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "apps_delete_usage_samples" AFTER DELETE ON "apps"
  REFERENCING OLD TABLE AS deleted_apps FOR EACH STATEMENT EXECUTE FUNCTION "delete_usage_samples_of_deleted_apps"();
