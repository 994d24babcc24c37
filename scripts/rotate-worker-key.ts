import { loadConfigOrExit } from "../src/server/config/config";
import { DomainError } from "../src/server/errors/domain-errors";
import { createServices } from "../src/server/runtime/services";
import { rotateWorkerKey } from "../src/server/workers/rotate-worker-key";

/**
 * Usage: npx tsx scripts/rotate-worker-key.ts <worker id | worker name>
 * Prints the new API key once; configure the worker with it (WORKER_API_KEY) and restart it.
 */
const arg = process.argv[2];
if (!arg || !/^([0-9]+|[a-z0-9-]{1,63})$/.test(arg)) {
  process.stderr.write("usage: npx tsx scripts/rotate-worker-key.ts <worker id | worker name>\n");
  process.exit(64);
}
const config = loadConfigOrExit("rotate-worker-key");
const services = createServices("rotate-worker-key", config);
try {
  const worker = /^[0-9]+$/.test(arg)
    ? await services.db.worker.findUnique({ where: { id: Number(arg) }, select: { id: true } })
    : await services.db.worker.findUnique({ where: { name: arg }, select: { id: true } });
  if (!worker) throw new DomainError("NOT_FOUND", `No worker "${arg}". List workers in the admin dashboard.`);
  const rotated = await rotateWorkerKey(services, worker.id);
  process.stdout.write(
    `Rotated the API key of worker ${rotated.name} (id ${rotated.workerId}).\n` +
      `New API key (shown once): ${rotated.apiKey}\n` +
      `Its old key, its JWTs and its live connection no longer work; set the new key on the worker and restart it.\n`,
  );
  await services.close();
} catch (err) {
  process.stderr.write(`rotate-worker-key: ${(err as Error).message}\n`);
  await services.close();
  process.exit(1);
}
