import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { printableLogLine } from "../worker-reports/log-text";
import { requireOwnedApp } from "./app-access";
import { markAt } from "./log-run-at";
import { readLogRuns } from "./log-runs";

const PAGE = 5_000;

/** One line of the download: time, stream, the run that wrote it (log-runs.ts), the text. */
export function exportLine(row: { ts: Date; stream: string; line: string }, label: string | null): string {
  return `${row.ts.toISOString()} ${row.stream} [${label ?? "before the first recorded deploy"}] ${printableLogLine(row.line)}\n`;
}

/**
 * The Logs tab's Download (src/app/api/apps/[appId]/logs/route.ts): every stored runtime log
 * line of the app, oldest first, whatever the page's search or stream filter shows, read from
 * Postgres page by page so the whole retained range streams without being held in memory.
 * Ownership is checked before the first byte.
 */
export async function runtimeLogExport(db: Db, actor: Pick<Actor, "userId" | "team">, appId: number): Promise<{ appName: string; body: ReadableStream<Uint8Array> }> {
  const app = await requireOwnedApp(db, actor, appId);
  const runs = await readLogRuns(db, appId);
  const encoder = new TextEncoder();
  let after = 0n;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const rows = await db.runtimeLog.findMany({ where: { appId, id: { gt: after } }, orderBy: { id: "asc" }, take: PAGE, select: { id: true, ts: true, stream: true, line: true } });
      if (rows.length === 0) {
        done = true;
        controller.close();
        return;
      }
      after = rows[rows.length - 1]!.id;
      controller.enqueue(encoder.encode(rows.map((r) => exportLine(r, markAt(runs, r.ts.getTime())?.label ?? null)).join("")));
      if (rows.length < PAGE) {
        done = true;
        controller.close();
      }
    },
  });
  return { appName: app.name, body };
}
