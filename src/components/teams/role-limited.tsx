"use client";

import type { ReactNode } from "react";
import { useTeamRole } from "@/components/teams/use-team-role";
import type { Permission } from "@/server/teams/roles";

/** Why the caller's role cannot do what `permission` allows, or nothing when it can (or is loading). */
export function RoleReason({ permission }: { permission: Permission }) {
  const { team, can, reason } = useTeamRole();
  if (!team || can(permission)) return null;
  return (
    <p className="text-sm text-muted" data-testid="role-reason">
      {reason(permission)}
    </p>
  );
}

/**
 * Everything inside is shown but disabled when the caller's role lacks `permission`
 * (docs/teams.md), with the reason above it unless `quiet` (a RoleReason elsewhere on the page
 * says it once): a native disabled fieldset disables every input and button in it, so a control
 * added later inside cannot forget the check. The server refuses regardless.
 */
export function RoleLimited({ permission, children, quiet = false, className }: { permission: Permission; children: ReactNode; quiet?: boolean; className?: string }) {
  const { can } = useTeamRole();
  return (
    // A fieldset without its own box; min-w-0: a fieldset is min-content wide by default and would
    // widen narrow pages. `className` lays out what is inside (default: stacked).
    <fieldset disabled={!can(permission)} data-permission={permission} className={`m-0 min-w-0 border-0 p-0 ${className ?? "space-y-4"}`}>
      {quiet ? null : <RoleReason permission={permission} />}
      {children}
    </fieldset>
  );
}
