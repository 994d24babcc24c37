-- deployments.image: the image a deployment ran, as its worker reported it in job_result.runtime.image
-- (src/server/worker-reports/deployment-image.ts). A rollback sends it to the worker
-- (payload.rollbackTarget, src/protocol/job-payload.ts) so a container worker reuses it without a rebuild.
ALTER TABLE "deployments" ADD COLUMN "image" TEXT;
