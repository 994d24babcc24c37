"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

/** Invitations not yet accepted; an expired one is shown as such and can be sent again. */
export function InvitationsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.teams.invitations.queryOptions());
  const revoke = useMutation(trpc.teams.revokeInvitation.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.teams.invitations.queryKey() }) }));
  if (!invitations.data) return null;
  return (
    <section aria-labelledby="invitations-heading" className="space-y-2">
      <h2 id="invitations-heading" className="text-lg font-medium">Pending invitations</h2>
      {invitations.data.length === 0 ? (
        <p className="text-sm text-muted">No invitation is waiting.</p>
      ) : (
        <ul className="space-y-2 text-sm" data-testid="invitations">
          {invitations.data.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center gap-3" data-email={i.email}>
              <span className="break-all">{i.email}</span>
              <span className="text-muted">{i.role}</span>
              <span className={i.expired ? "text-bad" : "text-muted"}>
                {i.expired ? "expired" : `until ${new Date(i.expiresAt).toLocaleDateString()}`}
                {i.invitedBy ? ` · by ${i.invitedBy}` : ""}
              </span>
              <button type="button" onClick={() => revoke.mutate({ invitationId: i.id })} className="rounded-md border border-line px-2 py-1 hover:bg-panel-2">
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoke.error ? <p role="alert" className="text-sm text-bad">{revoke.error.message}</p> : null}
    </section>
  );
}
