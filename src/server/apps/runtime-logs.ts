import { z } from "zod";
import type { Services } from "../runtime/services";
import type { Actor } from "./actor";
import { requireOwnedApp } from "./app-access";

export const runtimeLogFilterInput = z.object({
  stream: z.enum(["stdout", "stderr"]).optional(),
  search: z.string().max(200).optional(),
});
export type RuntimeLogFilter = z.infer<typeof runtimeLogFilterInput>;

export interface RuntimeLogLine {
  id: string;
  ts: number;
  stream: "stdout" | "stderr";
  line: string;
}

export function matchesLogFilter(line: { stream: string; line: string }, filter: RuntimeLogFilter): boolean {
  if (filter.stream && line.stream !== filter.stream) return false;
  if (filter.search && !line.line.toLowerCase().includes(filter.search.toLowerCase())) return false;
  return true;
}

/**
 * Persisted runtime log lines (seed LoadRuntimeLogsMulti): the newest `limit` matching lines in
 * time order, or everything after `afterId` when a live view resumes.
 */
export async function readRuntimeLogs(
  services: Services,
  appId: number,
  filter: RuntimeLogFilter,
  opts: { limit?: number; afterId?: bigint; beforeId?: bigint } = {},
): Promise<RuntimeLogLine[]> {
  const limit = Math.min(Math.max(opts.limit ?? 500, 1), 5_000);
  const where = {
    appId,
    ...(filter.stream ? { stream: filter.stream } : {}),
    ...(filter.search ? { line: { contains: filter.search, mode: "insensitive" as const } } : {}),
    ...(opts.afterId !== undefined ? { id: { gt: opts.afterId } } : opts.beforeId !== undefined ? { id: { lt: opts.beforeId } } : {}),
  };
  const rows =
    opts.afterId !== undefined
      ? await services.db.runtimeLog.findMany({ where, orderBy: { id: "asc" }, take: limit })
      : (await services.db.runtimeLog.findMany({ where, orderBy: { id: "desc" }, take: limit })).reverse();
  return rows.map((r) => ({ id: r.id.toString(), ts: r.ts.getTime(), stream: r.stream, line: r.line }));
}

export async function listRuntimeLogs(
  services: Services,
  actor: Actor,
  appId: number,
  filter: RuntimeLogFilter,
  opts: { limit?: number; beforeId?: string } = {},
) {
  await requireOwnedApp(services.db, actor.userId, appId);
  return readRuntimeLogs(services, appId, filter, {
    limit: opts.limit,
    beforeId: opts.beforeId && /^\d+$/.test(opts.beforeId) ? BigInt(opts.beforeId) : undefined,
  });
}
