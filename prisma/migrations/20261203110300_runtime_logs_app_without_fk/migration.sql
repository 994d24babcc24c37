-- The foreign key from runtime_logs.app_id to apps made every stored line take a key-share lock on
-- its app's row (a hub batch holds up to 4,000 lines, mostly of a few apps): an interleaved COPY of
-- the same lines on this machine took 47k lines/s with the key and 102k without it, with every
-- index kept (docs/performance.md). Lines are only written for apps the sending worker owns
-- (src/ws-hub/handlers/owned-apps-cache.ts), and apps are soft-deleted; erasing an app deletes
-- its lines in the same transaction (src/server/apps/delete-app.ts). Lines of an app removed any
-- other way age out with the retention (src/server/pruning/prune-tasks.ts).
ALTER TABLE "runtime_logs" DROP CONSTRAINT "runtime_logs_app_id_fkey";
