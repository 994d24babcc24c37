"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

/** The invitation as the signed-in visitor sees it, and the button that accepts it. */
export function AcceptInvitation({ token }: { token: string }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.teams.invitation.queryOptions({ token }, { retry: false }));
  const accept = useMutation(trpc.teams.acceptInvitation.mutationOptions({ onSuccess: () => window.location.assign("/apps") }));
  if (preview.isPending) return <p role="status" className="text-sm text-muted">Loading the invitation…</p>;
  if (preview.isError) return <p role="alert" className="text-sm text-bad">{preview.error.message} Open the link from the latest invitation mail, or ask the team to invite you again.</p>;
  const i = preview.data;
  return (
    <div className="space-y-3 text-sm" data-testid="invitation">
      <p>
        {i.invitedBy ?? "A member"} invited <strong>{i.email}</strong> to <strong>{i.teamName}</strong> as <strong>{i.role}</strong>.
      </p>
      {i.state !== "pending" ? (
        <p role="alert" className="text-bad">This invitation is {i.state}. Ask the team for a new one.</p>
      ) : !i.emailMatches ? (
        <p role="alert" className="text-bad">This invitation is for {i.email}. Sign out and sign in with that address to accept it.</p>
      ) : (
        <button type="button" onClick={() => accept.mutate({ token })} disabled={accept.isPending} className="rounded-md bg-accent px-3 py-1.5 font-medium text-black disabled:opacity-50">
          Accept and join {i.teamName}
        </button>
      )}
      {accept.error ? <p role="alert" className="text-bad">{accept.error.message}</p> : null}
    </div>
  );
}
