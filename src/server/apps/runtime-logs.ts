import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Services } from "../runtime/services";
import { appIdInput, requireOwnedApp } from "./app-access";

export const runtimeLogFilterInput = z.object({
  stream: z.enum(["stdout", "stderr"]).optional(),
  search: z.string().max(200).optional(),
});
export type RuntimeLogFilter = z.infer<typeof runtimeLogFilterInput>;

export const listRuntimeLogsInput = appIdInput.extend({
  filter: runtimeLogFilterInput.default({}),
  limit: z.number().int().min(1).max(5000).optional(),
  beforeId: z.string().max(20).optional(),
});

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
 * Persisted runtime log lines: the newest `limit` matching lines in
 * time order, or everything after `afterId` when a live view resumes.
 */
export async function readRuntimeLogs(
  deps: Pick<Services, "db">,
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
      ? await deps.db.runtimeLog.findMany({ where, orderBy: { id: "asc" }, take: limit })
      : (await deps.db.runtimeLog.findMany({ where, orderBy: { id: "desc" }, take: limit })).reverse();
  return rows.map((r) => ({ id: r.id.toString(), ts: r.ts.getTime(), stream: r.stream, line: r.line }));
}

export async function listRuntimeLogs(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">, input: z.infer<typeof listRuntimeLogsInput>) {
  await requireOwnedApp(deps.db, actor, input.appId);
  return readRuntimeLogs(deps, input.appId, input.filter, {
    limit: input.limit,
    beforeId: input.beforeId && /^\d+$/.test(input.beforeId) ? BigInt(input.beforeId) : undefined,
  });
}
