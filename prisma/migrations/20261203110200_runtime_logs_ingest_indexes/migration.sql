-- Every runtime log line the hub stores (src/server/worker-reports/runtime-log-writer.ts) paid for
-- three secondary indexes and two foreign-key checks. Two of them served nothing on the read side:
-- * worker_id (which worker shipped the line) is never read; its foreign key only nulled it when
--   a worker row was deleted, and took a key-share lock on the worker's row for every line (4,000
--   per batch, all on the same row), with an index to serve that. Worker ids are not reused, so
--   the column keeps the id without the key.
-- * ts is only read by retention (src/server/pruning/prune-tasks.ts: the oldest rows, in
--   batches). Lines arrive in time order, so a BRIN index (one entry per block range) finds them
--   as well as a B-tree that took an entry per line.
-- An interleaved COPY of the same 100,000 lines on this machine: 23.9k lines/s as before, 29.1k
-- without the worker key and index, 34.2k with the BRIN as well (docs/performance.md).
ALTER TABLE "runtime_logs" DROP CONSTRAINT "runtime_logs_worker_id_fkey";
DROP INDEX "runtime_logs_worker_id_idx";
DROP INDEX "runtime_logs_ts_idx";
CREATE INDEX "runtime_logs_ts_idx" ON "runtime_logs" USING BRIN ("ts") WITH (autosummarize = on);
