"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTeamRole } from "@/components/teams/use-team-role";
import { useTRPC } from "@/lib/trpc/client";
import { TEAM_ROLES, type TeamRole } from "@/server/teams/roles";

/** Invites an address with a role; the link goes out by mail and lasts a week. */
export function InviteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useTeamRole();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<TeamRole>("developer");
  const invite = useMutation(
    trpc.teams.invite.mutationOptions({
      onSuccess: () => {
        setEmail("");
        return queryClient.invalidateQueries({ queryKey: trpc.teams.invitations.queryKey() });
      },
    }),
  );
  const roles = TEAM_ROLES.filter((r) => r !== "owner" || can("team:owner"));
  return (
    <section aria-labelledby="invite-heading" className="space-y-3">
      <h2 id="invite-heading" className="text-lg font-medium">Invite someone</h2>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate({ email, role });
        }}
      >
        <label className="flex flex-col gap-1 text-sm">
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} className="rounded-md border border-line bg-panel px-2 py-1" />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Role
          <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as TeamRole)} className="rounded-md border border-line bg-panel px-2 py-1">
            {roles.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={invite.isPending} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">
          Send invitation
        </button>
      </form>
      {invite.isSuccess ? <p role="status" className="text-sm text-good">Invitation sent to {invite.data.email}.</p> : null}
      {invite.error ? <p role="alert" className="text-sm text-bad">{invite.error.message}</p> : null}
    </section>
  );
}
