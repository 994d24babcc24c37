-- usage_samples.user_id is the app's owner when the sample was taken (src/server/usage/usage-series.ts
-- filters on it). Its foreign key to users made every sample the usage tick inserts take a
-- key-share lock on the owner's users row: 100,000 per 5-minute bucket for an owner of 100,000
-- running apps, about half the cost of the bucket's first tick (bench:jobs, docs/performance.md).
-- Deleting a user still removes their samples: apps.user_id cascades to the apps, and
-- usage_samples.app_id cascades from them. The (user_id, bucket_start) index stays for the reads.
ALTER TABLE "usage_samples" DROP CONSTRAINT "usage_samples_user_id_fkey";
