-- Per-app numbers for deployments and jobs (docs/apps.md "Numbers"): an app's first deploy is
-- "Deployment #1" and its first job "Job #1"; ids stay internal. Existing rows are numbered in
-- id order within their app.
ALTER TABLE "deployments" ADD COLUMN "number" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "jobs" ADD COLUMN "number" INTEGER NOT NULL DEFAULT 0;

UPDATE "deployments" d SET "number" = n.rn
  FROM (SELECT id, row_number() OVER (PARTITION BY app_id ORDER BY id) AS rn FROM "deployments") n
 WHERE d.id = n.id;
UPDATE "jobs" j SET "number" = n.rn
  FROM (SELECT id, row_number() OVER (PARTITION BY app_id ORDER BY id) AS rn FROM "jobs") n
 WHERE j.id = n.id;

CREATE UNIQUE INDEX "deployments_app_id_number_key" ON "deployments"("app_id", "number");
CREATE UNIQUE INDEX "jobs_app_id_number_key" ON "jobs"("app_id", "number");

-- Every insert takes the app's next number, whichever code path inserts (services, recovery,
-- tests, benches). The services insert under the app row lock (src/server/apps/app-access.ts),
-- so two inserts for one app never read the same max; the unique index refuses one if anything
-- inserts without that lock. A row-level BEFORE trigger sees the rows earlier in the same
-- statement, so a multi-row INSERT numbers its rows one after another.
CREATE FUNCTION "assign_per_app_number"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."number" IS NULL OR NEW."number" <= 0 THEN
    EXECUTE format('SELECT COALESCE(MAX("number"), 0) + 1 FROM %I WHERE app_id = $1', TG_TABLE_NAME)
      INTO NEW."number" USING NEW.app_id;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "deployments_number" BEFORE INSERT ON "deployments"
  FOR EACH ROW EXECUTE FUNCTION "assign_per_app_number"();
CREATE TRIGGER "jobs_number" BEFORE INSERT ON "jobs"
  FOR EACH ROW EXECUTE FUNCTION "assign_per_app_number"();
