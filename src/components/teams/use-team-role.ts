"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import type { Permission } from "@/server/teams/roles";

/**
 * What the caller's role in the current team allows, for hiding or disabling buttons with a reason.
 * The server decides (src/server/teams/procedure-access.ts); this only keeps the dashboard honest
 * about it. Until the team is loaded nothing is allowed.
 */
export function useTeamRole() {
  const trpc = useTRPC();
  const current = useQuery(trpc.teams.current.queryOptions(undefined, { staleTime: 30_000 }));
  const team = current.data;
  const can = (permission: Permission) => !!team && team.permissions.includes(permission);
  const reason = (permission: Permission) =>
    can(permission) ? undefined : team ? `Your role in ${team.name} is ${team.role}, which cannot do this. Ask a team owner or admin.` : "Loading your role…";
  return { team, can, reason };
}
