"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useDeferredValue, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { StatusBadge } from "@/components/apps/status-badge";
import { Empty, ErrorState, Loading } from "@/components/apps/query-states";
import { firstLine, shortSha, timeAgo } from "@/components/apps/format";

const STATUSES = ["", "running", "deploying", "pending", "stopped", "crashed", "failed", "violated"] as const;
type StatusFilter = (typeof STATUSES)[number];

function asStatus(value: string): StatusFilter {
  return (STATUSES as readonly string[]).includes(value) ? (value as StatusFilter) : "";
}

export function AppsList({ initialStatus, initialSearch }: { initialStatus: string; initialSearch: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState(initialSearch);
  const [status, setStatus] = useState<StatusFilter>(asStatus(initialStatus));
  const deferred = useDeferredValue(search);
  const apps = useQuery({ ...trpc.apps.list.queryOptions({ search: deferred || undefined, status: status || undefined }), placeholderData: keepPreviousData });
  useSubscription(
    trpc.apps.onStatus.subscriptionOptions(undefined, {
      onData: () => void queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() }),
    }),
  );

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap gap-3">
        <label className="flex-1 text-sm">
          <span className="sr-only">Search apps</span>
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search by name or repository"
            className="w-full rounded-md border border-line bg-panel px-3 py-2"
          />
        </label>
        <label className="text-sm">
          <span className="sr-only">Filter by status</span>
          <select value={status} onChange={(e) => setStatus(asStatus(e.target.value))} className="rounded-md border border-line bg-panel px-3 py-2">
            {STATUSES.map((s) => (
              <option key={s} value={s}>{s || "All statuses"}</option>
            ))}
          </select>
        </label>
      </div>

      {apps.isPending ? (
        <Loading what="apps" />
      ) : apps.isError ? (
        <ErrorState error={apps.error} what="apps" />
      ) : apps.data.length === 0 ? (
        search || status ? (
          <Empty>No apps match. Clear the search or the status filter.</Empty>
        ) : (
          <Empty>
            You have no apps yet. <Link href="/apps/new" className="text-accent underline">Create one</Link> from a git repository.
          </Empty>
        )
      ) : (
        <ul className="divide-y divide-line rounded-lg border border-line bg-panel" data-testid="apps-list">
          {apps.data.map((app) => (
            <li key={app.id} className="flex flex-wrap items-center gap-4 px-4 py-3" data-app-name={app.name}>
              <div className="min-w-0 flex-1">
                <Link href={`/apps/${app.id}`} className="font-medium text-strong hover:underline">{app.name}</Link>
                <div className="truncate text-xs text-muted">
                  {app.repoUrl} · {app.branch}
                  {app.domains.length ? ` · ${app.domains.map((d) => d.hostname).join(", ")}` : ""}
                </div>
              </div>
              <div className="hidden text-xs text-muted md:block">
                {app.currentDeployment ? (
                  <span title={app.currentDeployment.commitMessage}>
                    <code>{shortSha(app.currentDeployment.commitSha)}</code> {firstLine(app.currentDeployment.commitMessage).slice(0, 40)} · {timeAgo(app.currentDeployment.createdAt)}
                  </span>
                ) : (
                  "not deployed yet"
                )}
              </div>
              {app.live ? (
                <div className="text-xs text-muted" title="Live usage">
                  CPU {app.live.cpuPct.toFixed(0)}% · {(app.live.memBytes / 1048576).toFixed(0)} MiB
                </div>
              ) : null}
              <StatusBadge status={app.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
