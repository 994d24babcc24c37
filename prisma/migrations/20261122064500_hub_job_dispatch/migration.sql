-- ws-hub job delivery across several hub processes.
-- workers.hub_connection: id of the worker's current live WebSocket (whichever hub holds it); a
-- hub only pushes jobs through the connection named here, and a replaced connection notices.
-- jobs.dispatched_to / dispatched_at: the connection a job was last sent through, claimed with a
-- compare-and-set so each connection receives a job once even when several hubs are notified.
ALTER TABLE "workers" ADD COLUMN "hub_connection" TEXT;
ALTER TABLE "jobs" ADD COLUMN "dispatched_to" TEXT;
ALTER TABLE "jobs" ADD COLUMN "dispatched_at" TIMESTAMPTZ(3);
