import type { Actor } from "../auth/actor";
import { DomainError, forbidden } from "../errors/domain-errors";
import { accessFor, ROUTE_ACCESS, type ProcedureAccess, type RouteName } from "./procedure-access";
import { PERMISSIONS, roleAllows, rolesWith } from "./roles";

/**
 * Decides whether a signed-in actor may call a procedure, from the two tables (procedure-access.ts,
 * roles.ts). Called by the procedures' middleware only (src/server/trpc/trpc.ts); which rows the
 * actor then sees is the services' `where` (team-scope.ts).
 */
export function authorizeProcedure(actor: Pick<Actor, "role" | "team">, path: string): void {
  const access = accessFor(path);
  if (access === undefined) {
    throw new DomainError("FORBIDDEN", `The procedure ${path} has no row in src/server/teams/procedure-access.ts, so nobody may call it yet.`);
  }
  authorizeAccess(actor, access);
}

/** The same decision for a route handler outside tRPC (ROUTE_ACCESS in procedure-access.ts). */
export function authorizeRoute(actor: Pick<Actor, "role" | "team">, route: RouteName): void {
  authorizeAccess(actor, ROUTE_ACCESS[route]);
}

function authorizeAccess(actor: Pick<Actor, "role" | "team">, access: ProcedureAccess): void {
  if (access === "public" || access === "signed-in") return;
  if (access === "platform-admin") {
    if (actor.role !== "admin") throw forbidden("Only platform administrators can do this.");
    return;
  }
  if (!roleAllows(actor.team.role, access)) {
    const roles = rolesWith(access);
    const who = roles.length > 1 ? `${roles.slice(0, -1).join(", ")} or ${roles.at(-1)}` : roles[0];
    throw new DomainError(
      "FORBIDDEN",
      `Your role in ${actor.team.name} is ${actor.team.role}, which cannot ${PERMISSIONS[access]}. Ask a team ${who} to do it or to change your role.`,
      { permission: access, role: actor.team.role },
    );
  }
}
