"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { ErrorState, Loading } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { useTeamRole } from "@/components/teams/use-team-role";

export function GitConnections() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.gitProviders.list.queryOptions());
  // Connecting is a link, which the page's disabled fieldset cannot disable: roles without git:manage do not see it.
  const mayConnect = useTeamRole().can("git:manage");
  const revoke = useMutation(
    trpc.gitProviders.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.gitProviders.list.queryKey() }) }),
  );
  if (list.isPending) return <Loading what="git providers" />;
  if (list.isError) return <ErrorState error={list.error} what="git providers" />;
  return (
    <ul className="divide-y divide-line rounded-lg border border-line bg-panel" data-testid="git-providers">
      {list.data.map((p) => (
        <li key={p.id} className="flex flex-wrap items-center gap-4 px-4 py-3">
          <div className="flex-1">
            <div className="font-medium">{p.label}</div>
            <div className="text-xs text-muted">
              {p.connected ? `Connected as ${p.username} · ${timeAgo(p.connectedAt)}` : p.configured ? "Not connected" : null}
            </div>
            {!p.connected && !p.configured ? (
              <p className="mt-1 text-xs text-muted" data-testid={`provider-setup-${p.id}`}>
                Not set up on this platform. The operator enables it by setting{" "}
                {p.setup.variables.map((v, i) => (
                  <span key={v}>
                    {i > 0 ? " and " : null}
                    <code className="rounded bg-panel-2 px-1">{v}</code>
                  </span>
                ))}{" "}
                (an OAuth app whose callback URL is <code className="break-all rounded bg-panel-2 px-1">{p.setup.callbackUrl}</code>) and restarting;
                until then, paste the repository&apos;s URL instead.
              </p>
            ) : null}
          </div>
          {p.connected ? (
            <ConfirmButton
              label="Disconnect"
              title={`Disconnect ${p.label}?`}
              description="The stored token is deleted. Apps keep their repository URLs; private repositories stop being listed until you connect again."
              confirmLabel="Disconnect"
              danger
              onConfirm={() => revoke.mutateAsync({ provider: p.id })}
            />
          ) : p.configured && mayConnect ? (
            <a href={`/api/git/connect/${p.id}`} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black">
              Connect
            </a>
          ) : null}
        </li>
      ))}
      {revoke.error ? <li role="alert" className="px-4 py-3 text-sm text-bad">{revoke.error.message}</li> : null}
    </ul>
  );
}
