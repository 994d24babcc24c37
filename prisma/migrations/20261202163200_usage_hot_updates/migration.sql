-- The usage tick (src/server/usage/record-usage-tick.ts) rewrites every running app's cursor and
-- current 5-minute sample once a minute. None of the columns it sets is indexed, so with free
-- room on each page Postgres updates in place (HOT): no new index entries, far less WAL. Rows of
-- past buckets are never updated again, so only the pages being filled now carry the slack.
ALTER TABLE "usage_cursors" SET (fillfactor = 50);
ALTER TABLE "usage_samples" SET (fillfactor = 60);
