import type { DbOrTx } from "../apps/app-access";
import { notFound } from "../errors/domain-errors";

/** The one place domain ownership is expressed: another user's domain id is "not found". */
export function ownedDomainWhere(userId: number, domainId: number) {
  return { id: domainId, userId, app: { deletedAt: null } };
}

export async function requireOwnedDomain(db: DbOrTx, userId: number, domainId: number) {
  const domain = await db.domain.findFirst({ where: ownedDomainWhere(userId, domainId), include: { app: { select: { id: true, name: true, subdomain: true } } } });
  if (!domain) throw notFound("Domain");
  return domain;
}
