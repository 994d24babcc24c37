import type { Services } from "../runtime/services";

/** How stale api_tokens.last_used_at may be: the settings page shows it to the minute. */
export const LAST_USE_PRECISION_MS = 60_000;

interface LastUse {
  id: number;
  lastUsedAt: Date | null;
  lastUsedIp: string;
}

/**
 * Records a token's last use (time and address) at most once a minute per token, or at once when
 * the address changed: a pipeline calling the API in a loop would otherwise write the row on
 * every request. The row just read decides whether to write at all; the conditional UPDATE keeps
 * concurrent requests of one token from all writing it. Answers whether this call wrote the row.
 */
export async function recordTokenUse(deps: Pick<Services, "db">, row: LastUse, now: Date, ip: string): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - LAST_USE_PRECISION_MS);
  const fresh = row.lastUsedAt !== null && row.lastUsedAt > staleBefore && row.lastUsedIp === ip;
  if (fresh) return false;
  const { count } = await deps.db.apiToken.updateMany({
    where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }, { lastUsedIp: { not: ip } }] },
    data: { lastUsedAt: now, lastUsedIp: ip },
  });
  return count > 0;
}
