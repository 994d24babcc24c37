import { randomBytes } from "node:crypto";
import { z } from "zod";
import { requireOwnedApp } from "../apps/app-access";
import { publishAppChanged } from "../apps/publish-app-changed";
import { uniqueViolation } from "../apps/unique-violation";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import type { AppConfig } from "../config/config";
import { conflict, validation } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { checkDomainDns } from "./dns-check";
import { requireOwnedDomain } from "./domain-access";
import { teamWhere } from "../teams/team-scope";
import { allowedAddresses, CHALLENGE_PREFIX, cnameTarget, hostnameContext } from "./domain-config";
import { checkHostname } from "./hostname-rules";

export const DOMAINS_PER_APP_MAX = 20;

type Deps = Pick<Services, "db" | "config">;
type Caller = Pick<Actor, "userId" | "team" | "audit">;

export const domainIdInput = z.object({ domainId: z.number().int().positive() });
export const createDomainInput = z.object({ appId: z.number().int().positive(), hostname: z.string().max(1000) });
export const listDomainsInput = z.object({ appId: z.number().int().positive().optional() }).optional();

export interface DnsRecord {
  type: "TXT" | "CNAME" | "A" | "AAAA";
  name: string;
  value: string;
  purpose: string;
}

/** The exact records the user creates at their DNS provider. */
export function recordsFor(config: AppConfig, domain: { hostname: string; verificationToken: string }, appSubdomain: string): DnsRecord[] {
  const records: DnsRecord[] = [
    { type: "TXT", name: `${CHALLENGE_PREFIX}.${domain.hostname}`, value: domain.verificationToken, purpose: "Proves you control the domain." },
    { type: "CNAME", name: domain.hostname, value: cnameTarget(config, appSubdomain), purpose: "Routes the domain to your app." },
  ];
  for (const address of allowedAddresses(config)) {
    records.push({
      type: address.includes(":") ? "AAAA" : "A",
      name: domain.hostname,
      value: address,
      purpose: "For apex domains that cannot have a CNAME: instead of the CNAME.",
    });
  }
  return records;
}

function present(config: AppConfig, d: {
  id: number; appId: number; hostname: string; status: string; verificationToken: string; verifiedAt: Date | null;
  lastCheckedAt: Date | null; lastError: string | null; createdAt: Date; app: { name: string; subdomain: string };
}) {
  return {
    id: d.id,
    appId: d.appId,
    appName: d.app.name,
    hostname: d.hostname,
    status: d.status,
    verifiedAt: d.verifiedAt,
    lastCheckedAt: d.lastCheckedAt,
    lastError: d.lastError,
    createdAt: d.createdAt,
    records: recordsFor(config, d, d.app.subdomain),
  };
}

export async function createDomain(deps: Deps, actor: Caller, { appId, hostname }: z.infer<typeof createDomainInput>) {
  const check = checkHostname(hostname, hostnameContext(deps.config));
  if (!check.ok) throw validation(check.message, { field: "hostname" });
  const app = await requireOwnedApp(deps.db, actor, appId);
  const existing = await deps.db.domain.findUnique({ where: { hostname: check.hostname }, select: { teamId: true, app: { select: { name: true } } } });
  if (existing) {
    throw conflict(
      existing.teamId === actor.team.id
        ? `${check.hostname} is already added to your app ${existing.app.name}. Remove it there first.`
        : `${check.hostname} is already claimed by another account. If you own it, contact support.`,
    );
  }
  if ((await deps.db.domain.count({ where: { appId } })) >= DOMAINS_PER_APP_MAX) {
    throw validation(`An app can have at most ${DOMAINS_PER_APP_MAX} custom domains.`);
  }
  try {
    const domain = await deps.db.domain.create({
      data: {
        userId: actor.userId,
        teamId: app.teamId,
        appId: app.id,
        hostname: check.hostname,
        verificationToken: `wh-verify-${randomBytes(16).toString("hex")}`,
        status: "pending",
      },
      include: { app: { select: { name: true, subdomain: true } } },
    });
    await recordAuditEvent(deps.db, { userId: actor.userId, kind: "domain_create", context: actor.audit, targetType: "domain", targetId: domain.id, metadata: { hostname: domain.hostname, appId } });
    return present(deps.config, domain);
  } catch (err) {
    if (uniqueViolation(err)) throw conflict(`${check.hostname} was just claimed by another request.`);
    throw err;
  }
}

export async function listDomains(deps: Deps, actor: Pick<Actor, "userId" | "team">, { appId }: z.infer<typeof listDomainsInput> = {}) {
  if (appId !== undefined) await requireOwnedApp(deps.db, actor, appId);
  const rows = await deps.db.domain.findMany({
    where: { ...teamWhere(actor), app: { deletedAt: null }, ...(appId !== undefined ? { appId } : {}) },
    include: { app: { select: { name: true, subdomain: true } } },
    orderBy: [{ appId: "asc" }, { hostname: "asc" }],
  });
  return rows.map((d) => present(deps.config, d));
}

export async function getDomain(deps: Deps, actor: Pick<Actor, "userId" | "team">, { domainId }: z.infer<typeof domainIdInput>) {
  return present(deps.config, await requireOwnedDomain(deps.db, actor, domainId));
}

/** Checks the domain's DNS records now; every check stores its outcome and reason. */
export async function verifyDomain(deps: Deps & Pick<Services, "bus" | "log">, actor: Caller, { domainId }: z.infer<typeof domainIdInput>) {
  const domain = await requireOwnedDomain(deps.db, actor, domainId);
  const result = await checkDomainDns({
    hostname: domain.hostname,
    token: domain.verificationToken,
    resolver: deps.config.DNS_RESOLVER,
    cnameTarget: cnameTarget(deps.config, domain.app.subdomain),
    allowedAddresses: allowedAddresses(deps.config),
  });
  const now = new Date();
  const updated = await deps.db.domain.update({
    where: { id: domain.id },
    data: result.ok
      ? { status: "verified", verifiedAt: domain.verifiedAt ?? now, lastCheckedAt: now, lastError: null }
      : { status: domain.status === "verified" ? "verified" : "failed", lastCheckedAt: now, lastError: result.reason },
    include: { app: { select: { name: true, subdomain: true, userId: true, status: true } } },
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "domain_verify",
    context: actor.audit,
    targetType: "domain",
    targetId: domain.id,
    metadata: { hostname: domain.hostname, ok: result.ok, reason: result.ok ? null : result.reason },
  });
  // Verified domains change the proxy's routes; hubs and pages react to app.changed.
  if (result.ok) await publishAppChanged(deps, { id: updated.appId, userId: updated.app.userId, status: updated.app.status });
  return { ok: result.ok, reason: result.ok ? null : result.reason, domain: present(deps.config, updated) };
}

export async function deleteDomain(deps: Deps & Pick<Services, "bus" | "log">, actor: Caller, { domainId }: z.infer<typeof domainIdInput>) {
  const domain = await requireOwnedDomain(deps.db, actor, domainId);
  await deps.db.domain.deleteMany({ where: { id: domain.id, ...teamWhere(actor) } });
  if (domain.status === "verified") {
    const app = await deps.db.app.findUnique({ where: { id: domain.appId }, select: { id: true, userId: true, status: true } });
    if (app) await publishAppChanged(deps, app);
  }
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "domain_delete", context: actor.audit, targetType: "domain", targetId: domain.id, metadata: { hostname: domain.hostname } });
  return { id: domain.id };
}
