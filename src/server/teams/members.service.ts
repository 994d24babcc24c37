import type { z } from "zod";
import type { Tx } from "../apps/app-access";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { DomainError, notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { closeStreamsOf, detachSessionsFromTeam } from "./member-ended";
import { roleAllows, type TeamRole } from "./roles";
import type { changeRoleInput, memberInput, transferOwnershipInput } from "./team-input";
import { lockTeam, ownerCount } from "./team-lock";
import { teamWhere } from "./team-scope";

type Deps = Pick<Services, "db" | "bus" | "log">;
type Caller = Pick<Actor, "userId" | "team" | "audit">;

const lastOwner = () =>
  new DomainError("PRECONDITION_FAILED", "A team needs at least one owner. Make another member an owner (or transfer ownership) first, or delete the team.");

/** The current team's members with their names, owners first. */
export async function listMembers(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">) {
  const rows = await deps.db.teamMember.findMany({
    where: teamWhere(actor),
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: [{ createdAt: "asc" }],
  });
  const rank: Record<TeamRole, number> = { owner: 0, admin: 1, developer: 2, viewer: 3 };
  return rows
    .map((m) => ({ userId: m.userId, name: m.user.name, email: m.user.email, role: m.role as TeamRole, joinedAt: m.createdAt, you: m.userId === actor.userId }))
    .sort((a, b) => rank[a.role] - rank[b.role]);
}

/** Owners may change anyone; admins only members below owner, and never to owner. */
function assertMayTouch(callerRole: TeamRole, target: TeamRole, next?: TeamRole) {
  if ((target === "owner" || next === "owner") && !roleAllows(callerRole, "team:owner")) {
    throw new DomainError("FORBIDDEN", "Only an owner can change an owner or make someone an owner.");
  }
}

async function targetMember(tx: Tx, teamId: number, userId: number) {
  const member = await tx.teamMember.findUnique({ where: { teamId_userId: { teamId, userId } } });
  if (!member) throw notFound("Member");
  return member;
}

/** Changes a member's role; the last owner cannot be demoted (checked under the team lock). */
export async function changeRole(deps: Deps, actor: Caller, { userId, role }: z.infer<typeof changeRoleInput>) {
  const result = await deps.db.$transaction(async (tx: Tx) => {
    const team = await lockTeam(tx, actor);
    if (!roleAllows(team.role, "members:manage")) throw new DomainError("FORBIDDEN", "Your role in this team no longer allows changing roles.");
    const member = await targetMember(tx, team.id, userId);
    assertMayTouch(team.role, member.role, role);
    if (member.role === role) return { team, from: member.role };
    if (member.role === "owner" && (await ownerCount(tx, team.id)) <= 1) throw lastOwner();
    await tx.teamMember.update({ where: { teamId_userId: { teamId: team.id, userId } }, data: { role } });
    return { team, from: member.role };
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "team_role_change",
    context: actor.audit,
    targetType: "user",
    targetId: userId,
    metadata: { from: result.from, to: role },
  });
  return { userId, role };
}

/** Removes a member; their open live streams close at once (member-ended.ts). */
export async function removeMember(deps: Deps, actor: Caller, { userId }: z.infer<typeof memberInput>) {
  if (userId === actor.userId) throw new DomainError("PRECONDITION_FAILED", "To leave the team yourself, use Leave team.");
  const sessions = await deps.db.$transaction(async (tx: Tx) => {
    const team = await lockTeam(tx, actor);
    if (!roleAllows(team.role, "members:manage")) throw new DomainError("FORBIDDEN", "Your role in this team no longer allows removing members.");
    const member = await targetMember(tx, team.id, userId);
    assertMayTouch(team.role, member.role);
    if (member.role === "owner" && (await ownerCount(tx, team.id)) <= 1) throw lastOwner();
    await tx.teamMember.delete({ where: { teamId_userId: { teamId: team.id, userId } } });
    return detachSessionsFromTeam(tx, userId, team.id);
  });
  await closeStreamsOf(deps, userId, sessions);
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_member_remove", context: actor.audit, targetType: "user", targetId: userId });
  return { userId };
}

/** Leaves the current team; refused for the personal team and for the last owner. */
export async function leaveTeam(deps: Deps, actor: Caller) {
  const sessions = await deps.db.$transaction(async (tx: Tx) => {
    const team = await lockTeam(tx, actor);
    if (team.personal) throw new DomainError("PRECONDITION_FAILED", "Your personal team is yours for good; you cannot leave it.");
    if (team.role === "owner" && (await ownerCount(tx, team.id)) <= 1) throw lastOwner();
    await tx.teamMember.delete({ where: { teamId_userId: { teamId: team.id, userId: actor.userId } } });
    return detachSessionsFromTeam(tx, actor.userId, team.id);
  });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_leave", context: actor.audit, targetType: "team", targetId: actor.team.id });
  await closeStreamsOf(deps, actor.userId, sessions);
  return { left: actor.team.id };
}

/** Makes another member an owner and the caller an admin, in one transaction. */
export async function transferOwnership(deps: Deps, actor: Caller, { userId }: z.infer<typeof transferOwnershipInput>) {
  if (userId === actor.userId) throw new DomainError("VALIDATION", "Choose another member to transfer the ownership to.");
  await deps.db.$transaction(async (tx: Tx) => {
    const team = await lockTeam(tx, actor);
    if (team.personal) throw new DomainError("PRECONDITION_FAILED", "A personal team cannot change owner. Create a team to share apps.");
    if (team.role !== "owner") throw new DomainError("FORBIDDEN", "Only an owner can transfer the ownership.");
    await targetMember(tx, team.id, userId);
    await tx.teamMember.update({ where: { teamId_userId: { teamId: team.id, userId } }, data: { role: "owner" } });
    await tx.teamMember.update({ where: { teamId_userId: { teamId: team.id, userId: actor.userId } }, data: { role: "admin" } });
  });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_ownership_transfer", context: actor.audit, targetType: "user", targetId: userId });
  return { owner: userId };
}
