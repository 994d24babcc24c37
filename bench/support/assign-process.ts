/**
 * One "jobs process" for bench/jobs.bench.ts: its own database pool, assignment passes
 * (src/server/jobs/assign-jobs.ts) when told "go" on stdin, until nothing more can be placed.
 * Prints `ready`, then one JSON line with its figures per "go".
 */
import { createInterface } from "node:readline";
import { createDb } from "../../src/server/db/client";
import { assignAllPending } from "../../src/server/jobs/assign-jobs";

const db = createDb(process.argv[2]!, { max: 4 });
await db.$queryRaw`SELECT 1`;
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== "go") break;
  const t0 = performance.now();
  let assigned = 0;
  let passes = 0;
  // As assign-on-request does: another pass while jobs were deferred behind the other process's locks.
  let r: Awaited<ReturnType<typeof assignAllPending>>;
  do {
    r = await assignAllPending(db, null);
    assigned += r.assigned;
    passes += r.passes;
  } while (r.retrySoon);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, assigned, passes })}\n`);
}
await db.$disconnect();
