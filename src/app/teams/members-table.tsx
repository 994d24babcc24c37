"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { ScrollX } from "@/components/scroll-x";
import { useTeamRole } from "@/components/teams/use-team-role";
import { useTRPC } from "@/lib/trpc/client";
import { TEAM_ROLES, type TeamRole } from "@/server/teams/roles";

/** Members with their roles; owners and admins change roles and remove members (owners only touch owners). */
export function MembersTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, reason } = useTeamRole();
  const members = useQuery(trpc.teams.members.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.teams.members.queryKey() });
  const changeRole = useMutation(trpc.teams.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.teams.removeMember.mutationOptions({ onSuccess: refresh }));
  if (members.isPending) return <p role="status" className="text-sm text-muted">Loading members…</p>;
  if (members.isError) return <p role="alert" className="text-sm text-bad">Could not load the members. Reload the page to try again.</p>;
  const manage = can("members:manage");
  const mayTouch = (role: TeamRole) => manage && (role !== "owner" || can("team:owner"));
  const roleChoices = TEAM_ROLES.filter((r) => r !== "owner" || can("team:owner"));
  const error = changeRole.error ?? remove.error;
  return (
    <section aria-labelledby="members-heading" className="space-y-3">
      <h2 id="members-heading" className="text-lg font-medium">Members</h2>
      <ScrollX label="Members">
        <table className="w-full text-left text-sm" data-testid="members-table">
          <thead className="text-muted">
            <tr>
              <th scope="col" className="py-2">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <tr key={m.userId} className="border-t border-line" data-email={m.email}>
                <td className="py-2">{m.name || "—"}{m.you ? <span className="text-muted"> (you)</span> : null}</td>
                <td className="break-all">{m.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.email}`}
                    className="rounded-md border border-line bg-panel px-2 py-1 disabled:opacity-60"
                    value={m.role}
                    disabled={!mayTouch(m.role) || m.you || changeRole.isPending}
                    title={m.you ? "Change your own role through another owner, or transfer ownership." : reason("members:manage")}
                    onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as TeamRole })}
                  >
                    {(mayTouch(m.role) ? roleChoices : TEAM_ROLES).map((r) => (
                      <option key={r} value={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td className="text-right">
                  {mayTouch(m.role) && !m.you ? (
                    <ConfirmButton
                      label="Remove"
                      title={`Remove ${m.email}?`}
                      description="They lose access to the team's apps at once; their open log views close."
                      confirmLabel="Remove member"
                      danger
                      onConfirm={() => remove.mutateAsync({ userId: m.userId })}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollX>
      {error ? <p role="alert" className="text-sm text-bad">{error.message}</p> : null}
    </section>
  );
}
