import type { z } from "zod";
import type { Tx } from "../apps/app-access";
import { softDeleteApp } from "../apps/delete-app";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { DomainError, notFound } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { closeStreamsOf, detachSessionsFromTeam } from "./member-ended";
import { ROLE_PERMISSIONS, type TeamRole } from "./roles";
import type { createTeamInput, deleteTeamInput, renameTeamInput, switchTeamInput } from "./team-input";
import { lockTeam } from "./team-lock";
import { teamWhere } from "./team-scope";

type Caller = Pick<Actor, "userId" | "team" | "session" | "audit">;

/** Every team the caller belongs to, the personal one first, with the one the session works in. */
export async function listTeams(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">) {
  const rows = await deps.db.teamMember.findMany({
    where: { userId: actor.userId, team: { deletedAt: null } },
    include: { team: { select: { id: true, name: true, personal: true, _count: { select: { members: true } } } } },
    orderBy: [{ team: { personal: "desc" } }, { team: { name: "asc" } }],
  });
  return rows.map((m) => ({
    id: m.team.id,
    name: m.team.name,
    personal: m.team.personal,
    role: m.role as TeamRole,
    members: m.team._count.members,
    current: m.team.id === actor.team.id,
  }));
}

/** The current team and what the caller's role allows there (the dashboard hides or disables the rest). */
export function currentTeam(actor: Pick<Actor, "team">) {
  const { id, name, personal, plan, role } = actor.team;
  return { id, name, personal, plan, role, permissions: [...ROLE_PERMISSIONS[role]].sort() };
}

/** A new team with the caller as its owner; the session switches to it. */
export async function createTeam(deps: Pick<Services, "db">, actor: Caller, { name }: z.infer<typeof createTeamInput>) {
  const count = await deps.db.teamMember.count({ where: { userId: actor.userId, role: "owner", team: { deletedAt: null, personal: false } } });
  if (count >= 20) throw new DomainError("LIMIT_REACHED", "You own 20 teams already. Delete one you no longer use first.");
  const team = await deps.db.$transaction(async (tx: Tx) => {
    const created = await tx.team.create({ data: { name, members: { create: { userId: actor.userId, role: "owner" } } } });
    await tx.session.updateMany({ where: { id: actor.session.id, userId: actor.userId }, data: { currentTeamId: created.id } });
    return created;
  });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_create", context: { ...actor.audit, teamId: team.id }, targetType: "team", targetId: team.id, metadata: { name } });
  return { id: team.id, name: team.name };
}

export async function renameTeam(deps: Pick<Services, "db">, actor: Caller, { name }: z.infer<typeof renameTeamInput>) {
  const { count } = await deps.db.team.updateMany({ where: { id: actor.team.id, deletedAt: null, members: { some: { userId: actor.userId } } }, data: { name } });
  if (count === 0) throw notFound("Team");
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_rename", context: actor.audit, targetType: "team", targetId: actor.team.id, metadata: { from: actor.team.name, to: name } });
  return { id: actor.team.id, name };
}

/** The team the session works in from now on; a team the caller is not a member of is not found. */
export async function switchTeam(deps: Pick<Services, "db">, actor: Caller, { teamId }: z.infer<typeof switchTeamInput>) {
  const member = await deps.db.teamMember.findFirst({ where: { userId: actor.userId, teamId, team: { deletedAt: null } }, select: { teamId: true } });
  if (!member) throw notFound("Team");
  await deps.db.session.updateMany({ where: { id: actor.session.id, userId: actor.userId }, data: { currentTeamId: teamId } });
  return { teamId };
}

type DeleteDeps = Parameters<typeof softDeleteApp>[0] & Pick<Services, "bus" | "log">;

/**
 * Deletes the current team, confirmed by typing its name: each app goes through the apps' own
 * delete (jobs cancelled, the worker removes it), then the team is marked deleted, its members
 * and pending invitations removed, and every member's open live streams close.
 */
export async function deleteTeam(deps: DeleteDeps, actor: Caller & Pick<Actor, "plan">, { confirmName }: z.infer<typeof deleteTeamInput>) {
  if (actor.team.personal) throw new DomainError("PRECONDITION_FAILED", "Your personal team cannot be deleted. Delete its apps one by one instead.");
  if (confirmName.trim() !== actor.team.name) throw new DomainError("VALIDATION", `Type the team's name, ${actor.team.name}, to confirm.`, { field: "confirmName" });
  const apps = await deps.db.app.findMany({ where: { ...teamWhere(actor), deletedAt: null }, select: { id: true } });
  for (const app of apps) await softDeleteApp(deps, actor, { appId: app.id });
  const ended = await deps.db.$transaction(async (tx: Tx) => {
    const team = await lockTeam(tx, actor);
    if (team.role !== "owner") throw new DomainError("FORBIDDEN", "Only an owner can delete the team.");
    const members = await tx.teamMember.findMany({ where: { teamId: team.id }, select: { userId: true } });
    const sessions: { userId: number; ids: number[] }[] = [];
    for (const m of members) sessions.push({ userId: m.userId, ids: await detachSessionsFromTeam(tx, m.userId, team.id) });
    await tx.teamMember.deleteMany({ where: { teamId: team.id } });
    await tx.teamInvitation.updateMany({ where: { teamId: team.id, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    await tx.team.update({ where: { id: team.id }, data: { deletedAt: new Date() } });
    return sessions;
  });
  await recordAuditEvent(deps.db, { userId: actor.userId, kind: "team_delete", context: actor.audit, targetType: "team", targetId: actor.team.id, metadata: { name: actor.team.name, apps: apps.length } });
  for (const s of ended) await closeStreamsOf(deps, s.userId, s.ids);
  return { id: actor.team.id, appsDeleted: apps.length };
}
