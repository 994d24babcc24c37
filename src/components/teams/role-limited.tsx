"use client";

import type { ReactNode } from "react";
import { useTeamRole } from "@/components/teams/use-team-role";
import type { Permission } from "@/server/teams/roles";

/**
 * Everything inside is shown but disabled, with the reason above it, when the caller's role lacks
 * `permission` (docs/teams.md): a native disabled fieldset disables every input and button in it,
 * so a form added later inside cannot forget the check. The server refuses regardless.
 */
export function RoleLimited({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { team, can, reason } = useTeamRole();
  const allowed = can(permission);
  return (
    // min-w-0: a fieldset is min-content wide by default and would widen narrow pages.
    <fieldset disabled={!allowed} data-permission={permission} className="m-0 min-w-0 space-y-4 border-0 p-0">
      {team && !allowed ? (
        <p className="text-sm text-muted" data-testid="role-reason">
          {reason(permission)}
        </p>
      ) : null}
      {children}
    </fieldset>
  );
}
