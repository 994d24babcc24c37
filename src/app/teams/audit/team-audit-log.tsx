"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { ScrollX } from "@/components/scroll-x";
import { useTRPC } from "@/lib/trpc/client";

const LABELS: Record<string, string> = {
  team_create: "created the team",
  team_rename: "renamed the team",
  team_delete: "deleted the team",
  team_invite: "invited",
  team_invitation_revoke: "revoked an invitation",
  team_join: "joined the team",
  team_role_change: "changed a role",
  team_member_remove: "removed a member",
  team_leave: "left the team",
  team_ownership_transfer: "transferred the ownership",
  api_token_create: "created an API token",
  api_token_revoke: "revoked an API token",
  api_token_use: "used an API token",
};

/** What the event's metadata says in words (the invited address, the new role, the app name). */
function detail(metadata: Record<string, unknown>): string {
  const call = typeof metadata.route === "string" ? `${String(metadata.method)} ${metadata.route} → ${String(metadata.status)}` : undefined;
  const parts = [metadata.email, metadata.name, metadata.hostname, metadata.to ? `to ${String(metadata.to)}` : undefined, metadata.role, call].filter(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
  return parts.join(" · ");
}

export function TeamAuditLog() {
  const trpc = useTRPC();
  const query = useInfiniteQuery(trpc.audit.team.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  if (query.isPending) return <p role="status" className="text-sm text-muted">Loading events…</p>;
  if (query.isError) return <p role="alert" className="text-sm text-bad">Could not load the audit log: {query.error.message}</p>;
  const events = query.data.pages.flatMap((p) => p.events);
  if (events.length === 0) return <p className="text-sm text-muted">Nothing has happened in this team yet.</p>;
  return (
    <div className="space-y-3">
      <ScrollX label="Team audit events">
        <table className="w-full text-left text-sm" data-testid="team-audit-table">
          <thead className="text-muted">
            <tr>
              <th scope="col" className="py-2">Time</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} className="border-t border-line" data-kind={e.kind}>
                <td className="py-2 whitespace-nowrap">{new Date(e.createdAt).toLocaleString()}</td>
                <td title={e.actor.email}>{e.actor.name}</td>
                <td>
                  {LABELS[e.kind] ?? e.kind.replace(/_/g, " ")}
                  {detail(e.metadata) ? <span className="text-muted"> · {detail(e.metadata)}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollX>
      {query.hasNextPage ? (
        <button type="button" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage} className="rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2">
          Older events
        </button>
      ) : null}
    </div>
  );
}
