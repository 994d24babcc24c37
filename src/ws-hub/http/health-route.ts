import type { Db } from "../../server/db/client";
import type { Route } from "./http-server";
import { sendJson } from "./respond";

const DB_CHECK_TIMEOUT_MS = 2_000;

/** Resolves true when the database answers `SELECT 1` within the timeout. */
export async function databaseReachable(db: Db): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DB_CHECK_TIMEOUT_MS);
  });
  const check = db.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `isReady`: false until the hub has subscribed to the bus (it could miss job pushes before). */
export function healthRoute(db: Db, isReady: () => boolean = () => true): Route {
  return {
    method: "GET",
    path: "/health",
    async handler(_req, res) {
      const ok = isReady() && (await databaseReachable(db));
      const time = new Date().toISOString();
      if (ok) sendJson(res, 200, { status: "ok", time });
      else sendJson(res, 503, { status: "unavailable", time, error: { code: "unavailable", message: "The database is unreachable." } });
    },
  };
}

/** Waits until the database answers, retrying with backoff; false when `stop()` says to give up. */
export async function waitForDatabase(db: Db, stop: () => boolean, onRetry?: (attempt: number) => void): Promise<boolean> {
  for (let attempt = 0; !stop(); attempt++) {
    if (await databaseReachable(db)) return true;
    onRetry?.(attempt);
    await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5_000)));
  }
  return false;
}
