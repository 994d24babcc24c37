"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useTRPC } from "@/lib/trpc/client";
import { StatusBadge } from "@/components/apps/status-badge";
import { ErrorState } from "@/components/apps/query-states";

/** Name, status (live) and address of the app; every tab shares it. */
export function AppHeader({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const app = useQuery(trpc.apps.get.queryOptions({ appId }));
  useSubscription(
    trpc.apps.onStatus.subscriptionOptions(
      { appId },
      {
        enabled: app.isSuccess,
        onData: () => {
          void queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) });
          void queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey({ appId }) });
        },
      },
    ),
  );
  if (app.isPending) return <h1 className="text-2xl font-semibold text-muted">Loading app…</h1>;
  if (app.isError) return <ErrorState error={app.error} what="the app" />;
  const a = app.data;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Link href="/apps" className="text-sm text-muted hover:text-strong">Apps /</Link>
      <h1 className="text-2xl font-semibold" data-testid="app-name">{a.name}</h1>
      <StatusBadge status={a.status} />
      <a href={a.url} target="_blank" rel="noreferrer" data-testid="app-url" className="text-sm text-accent hover:underline">{a.url.replace(/^https?:\/\//, "")}</a>
      {a.directUrl && a.status === "running" ? (
        <a href={a.directUrl} target="_blank" rel="noreferrer" data-testid="app-direct-url" className="text-sm text-accent hover:underline" title="Where the app answers on its worker, without the proxy">
          {a.directUrl.replace(/^https?:\/\//, "")} (direct)
        </a>
      ) : null}
      {a.statusReason ? <span className="min-w-0 text-sm text-muted wrap-anywhere">({a.statusReason})</span> : null}
    </div>
  );
}
