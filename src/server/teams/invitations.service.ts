import type { z } from "zod";
import type { Tx } from "../apps/app-access";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { conflict, DomainError, notFound } from "../errors/domain-errors";
import { queueEmail } from "../mail/queue-email";
import { renderTeamInvitationEmail } from "../mail/templates/team-emails";
import { enforceLimits } from "../rate-limit/enforce-limits";
import type { Services } from "../runtime/services";
import { hashInvitationToken, INVITATION_TTL_MS, invitationUrl, newInvitationToken } from "./invitation-token";
import { roleAllows, type TeamRole } from "./roles";
import type { invitationIdInput, invitationTokenInput, inviteInput } from "./team-input";
import { lockTeam } from "./team-lock";
import { teamWhere } from "./team-scope";

type Caller = Pick<Actor, "userId" | "email" | "team" | "session" | "audit">;
type InviteDeps = Pick<Services, "db" | "config" | "queue" | "limiter">;

/** Invites an address to the current team: a link mailed through the real mailer, valid a week. */
export async function inviteMember(deps: InviteDeps, actor: Caller, { email, role }: z.infer<typeof inviteInput>) {
  if (actor.team.personal) throw new DomainError("PRECONDITION_FAILED", "Your personal team is only yours. Create a team to invite people.");
  if (role === "owner" && !roleAllows(actor.team.role, "team:owner")) throw new DomainError("FORBIDDEN", "Only an owner can invite another owner.");
  await enforceLimits(deps.limiter, [{ key: `team-invite:${actor.team.id}`, rule: { limit: 30, windowSeconds: 3600 } }]);
  const token = newInvitationToken();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const invitation = await deps.db.$transaction(async (tx: Tx) => {
    const team = await lockTeam(tx, actor);
    const existing = await tx.teamMember.findFirst({ where: { teamId: team.id, user: { email } }, select: { userId: true } });
    if (existing) throw conflict(`${email} is already a member of ${team.name}.`);
    // One open invitation per address: a new one replaces (revokes) the older link.
    await tx.teamInvitation.updateMany({ where: { teamId: team.id, email, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    return tx.teamInvitation.create({ data: { teamId: team.id, email, role, tokenHash: hashInvitationToken(token), invitedByUserId: actor.userId, expiresAt } });
  });
  const inviter = await deps.db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { name: true, email: true } });
  const mail = await renderTeamInvitationEmail({ teamName: actor.team.name, inviterName: inviter.name || inviter.email, role, url: invitationUrl(deps.config.PUBLIC_URL, token), expiresAt });
  await queueEmail(deps.queue, { to: email, ...mail, kind: "team-invitation" });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_invite", context: actor.audit, targetType: "invitation", targetId: invitation.id, metadata: { email, role } });
  return { id: invitation.id, email, role, expiresAt };
}

/** Open invitations of the current team (not accepted, not revoked), newest first, with who sent them. */
export async function listInvitations(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">) {
  const rows = await deps.db.teamInvitation.findMany({
    where: { ...teamWhere(actor), acceptedAt: null, revokedAt: null },
    include: { invitedBy: { select: { name: true, email: true } } },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
  const now = Date.now();
  return rows.map((i) => ({
    id: i.id,
    email: i.email,
    role: i.role as TeamRole,
    invitedBy: i.invitedBy ? i.invitedBy.name || i.invitedBy.email : null,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    expired: i.expiresAt.getTime() <= now,
  }));
}

export async function revokeInvitation(deps: Pick<Services, "db">, actor: Caller, { invitationId }: z.infer<typeof invitationIdInput>) {
  const { count } = await deps.db.teamInvitation.updateMany({ where: { id: invitationId, ...teamWhere(actor), acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0) throw notFound("Invitation");
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_invitation_revoke", context: actor.audit, targetType: "invitation", targetId: invitationId });
  return { id: invitationId };
}

type InvitationState = "pending" | "expired" | "revoked" | "accepted";

function stateOf(i: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: number): InvitationState {
  if (i.acceptedAt) return "accepted";
  if (i.revokedAt) return "revoked";
  return i.expiresAt.getTime() <= now ? "expired" : "pending";
}

const unusable: Record<Exclude<InvitationState, "pending">, string> = {
  accepted: "This invitation was already used. Ask the team for a new one if you are not a member.",
  revoked: "This invitation was withdrawn or replaced by a newer one. Use the latest invitation mail, or ask the team for a new one.",
  expired: "This invitation expired. Ask the team to invite you again.",
};

async function findByToken(db: Services["db"] | Tx, token: string) {
  const row = await db.teamInvitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    include: { team: { select: { id: true, name: true, deletedAt: true } }, invitedBy: { select: { name: true, email: true } } },
  });
  if (!row || row.team.deletedAt) throw notFound("Invitation");
  return row;
}

/** What the invitation page shows the signed-in visitor before they accept. */
export async function previewInvitation(deps: Pick<Services, "db">, actor: Pick<Actor, "email">, { token }: z.infer<typeof invitationTokenInput>) {
  const i = await findByToken(deps.db, token);
  return {
    teamName: i.team.name,
    role: i.role as TeamRole,
    email: i.email,
    invitedBy: i.invitedBy ? i.invitedBy.name || i.invitedBy.email : null,
    expiresAt: i.expiresAt,
    state: stateOf(i, Date.now()),
    emailMatches: i.email === actor.email.toLowerCase(),
  };
}

/**
 * Accepts an invitation as the signed-in user: only the invited address may, once, before it
 * expires. The invitation row is locked so two accepts of one link cannot both succeed; the
 * session switches to the team.
 */
export async function acceptInvitation(deps: Pick<Services, "db">, actor: Caller, { token }: z.infer<typeof invitationTokenInput>) {
  const result = await deps.db.$transaction(async (tx: Tx) => {
    const found = await findByToken(tx, token);
    await tx.$queryRaw`SELECT id FROM teams WHERE id = ${found.teamId} FOR UPDATE`;
    await tx.$queryRaw`SELECT id FROM team_invitations WHERE id = ${found.id} FOR UPDATE`;
    const i = await findByToken(tx, token);
    const state = stateOf(i, Date.now());
    if (state !== "pending") throw new DomainError("PRECONDITION_FAILED", unusable[state]);
    if (i.email !== actor.email.toLowerCase()) {
      throw new DomainError("FORBIDDEN", `This invitation was sent to ${i.email}. Sign in with that address to accept it (you are signed in as ${actor.email}).`);
    }
    await tx.teamMember.upsert({
      where: { teamId_userId: { teamId: i.teamId, userId: actor.userId } },
      create: { teamId: i.teamId, userId: actor.userId, role: i.role },
      update: {},
    });
    await tx.teamInvitation.update({ where: { id: i.id }, data: { acceptedAt: new Date() } });
    await tx.session.updateMany({ where: { id: actor.session.id, userId: actor.userId }, data: { currentTeamId: i.teamId } });
    return { teamId: i.teamId, teamName: i.team.name, role: i.role as TeamRole, invitationId: i.id };
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "team_join",
    context: { ...actor.audit, teamId: result.teamId },
    targetType: "invitation",
    targetId: result.invitationId,
    metadata: { role: result.role },
  });
  return result;
}
