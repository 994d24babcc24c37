"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useTRPC } from "@/lib/trpc/client";
import { StatusBadge } from "@/components/apps/status-badge";
import { Empty, ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { firstLine, formatDuration, shortSha, timeAgo } from "@/components/apps/format";
import { ScrollX } from "@/components/scroll-x";

const STATUS_ORDER = ["running", "deploying", "pending", "stopped", "crashed", "failed", "violated"];

/** Apps by status, recent deployments across apps, active alerts; refreshed on live status changes. */
export function HomeOverview() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.apps.overview.queryOptions());
  const recent = useQuery(trpc.deployments.recent.queryOptions({ limit: 10 }));
  useSubscription(
    trpc.apps.onStatus.subscriptionOptions(undefined, {
      onData: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.apps.overview.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.deployments.recent.queryKey() });
      },
    }),
  );

  if (overview.isPending) return <Loading what="your overview" />;
  if (overview.isError) return <ErrorState error={overview.error} what="your overview" />;
  const o = overview.data;

  return (
    <div className="space-y-6">
      <div className="grid gap-3 sm:grid-cols-3">
        <Stat label="Apps" value={`${o.total}${o.plan.maxApps ? ` / ${o.plan.maxApps}` : ""}`} hint={`${o.plan.name} plan`} href="/apps" />
        <Stat label="Running" value={String(o.byStatus.running ?? 0)} hint="serving traffic" href="/apps?status=running" />
        <Stat label="Active alerts" value={String(o.activeAlerts)} hint={o.activeAlerts ? "need attention" : "all quiet"} href="/alerts" tone={o.activeAlerts ? "bad" : "ok"} />
      </div>

      <Panel title="Apps by status">
        {o.total === 0 ? (
          <Empty>
            No apps yet. <Link href="/apps/new" className="text-accent underline">Create your first app</Link> from a git repository.
          </Empty>
        ) : (
          <ul className="flex flex-wrap gap-3" data-testid="apps-by-status">
            {STATUS_ORDER.filter((s) => o.byStatus[s]).map((s) => (
              <li key={s}>
                <Link href={`/apps?status=${s}`} className="flex items-center gap-2 rounded-md border border-line px-3 py-2 hover:bg-panel-2">
                  <StatusBadge status={s} /> <span className="font-medium">{o.byStatus[s]}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="Recent deployments">
        {recent.isPending ? (
          <Loading what="deployments" />
        ) : recent.isError ? (
          <ErrorState error={recent.error} what="deployments" />
        ) : recent.data.length === 0 ? (
          <Empty>No deployments yet. Deploy an app and it shows up here.</Empty>
        ) : (
          <ScrollX label="Recent deployments">
          <table className="w-full text-left text-sm" data-testid="recent-deployments">
            <thead className="text-muted">
              <tr>
                <th scope="col" className="py-2">App</th>
                <th scope="col">Status</th>
                <th scope="col">Commit</th>
                <th scope="col">Trigger</th>
                <th scope="col">Duration</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {recent.data.map((d) => (
                <tr key={d.id} className="border-t border-line">
                  <td className="py-2">
                    <Link href={`/apps/${d.appId}/deployments`} className="text-accent hover:underline">{d.appName}</Link>
                  </td>
                  <td><StatusBadge status={d.status} /></td>
                  <td className="max-w-xs truncate" title={d.commitMessage}>
                    <code>{shortSha(d.commitSha)}</code> {firstLine(d.commitMessage)}
                  </td>
                  <td>{d.trigger}</td>
                  <td>{formatDuration(d.durationMs)}</td>
                  <td>{timeAgo(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </ScrollX>
        )}
      </Panel>
    </div>
  );
}

function Stat({ label, value, hint, href, tone }: { label: string; value: string; hint: string; href: string; tone?: "ok" | "bad" }) {
  return (
    <Link href={href} className="rounded-lg border border-line bg-panel p-4 hover:bg-panel-2">
      <div className="text-sm text-muted">{label}</div>
      <div className={`text-2xl font-semibold ${tone === "bad" ? "text-bad" : tone === "ok" ? "text-ok" : ""}`}>{value}</div>
      <div className="text-xs text-muted">{hint}</div>
    </Link>
  );
}
