import type { DbOrTx } from "../apps/app-access";
import { notFound } from "../errors/domain-errors";
import { teamWhere, type TeamScope } from "../teams/team-scope";

/** Domain ownership through the team scope: another team's domain id is "not found". */
export function ownedDomainWhere(scope: TeamScope, domainId: number) {
  return { id: domainId, app: { deletedAt: null }, ...teamWhere(scope) };
}

export async function requireOwnedDomain(db: DbOrTx, scope: TeamScope, domainId: number) {
  const domain = await db.domain.findFirst({ where: ownedDomainWhere(scope, domainId), include: { app: { select: { id: true, name: true, subdomain: true } } } });
  if (!domain) throw notFound("Domain");
  return domain;
}
