"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Empty, ErrorState, Loading } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { Pill } from "@/components/jobs/severity-badge";
import { RoleLimited } from "@/components/teams/role-limited";
import { useTRPC } from "@/lib/trpc/client";

type Status = "open" | "active" | "acknowledged" | "resolved" | "all";
const STATUSES: { value: Status; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "active", label: "Active" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
];

function Counter({ label, value, tone, testId }: { label: string; value: number; tone: string; testId: string }) {
  return (
    <div className="rounded-lg border border-line bg-panel px-4 py-3" data-testid={testId}>
      <div className={`text-2xl font-semibold ${tone}`}>{value}</div>
      <div className="text-xs text-muted">{label}</div>
    </div>
  );
}

/** The alerts inbox: headline counters, filters, acknowledge and resolve. Refreshes every 15 s. */
export function AlertsInbox() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>("open");
  const [kind, setKind] = useState("");
  const [appId, setAppId] = useState("");
  const filters = { status, kind: kind || undefined, appId: appId ? Number(appId) : undefined };
  const list = useQuery({ ...trpc.alerts.list.queryOptions(filters), refetchInterval: 15_000 });
  const apps = useQuery(trpc.apps.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.list.pathKey() });
  const ack = useMutation(trpc.alerts.acknowledge.mutationOptions({ onSettled: refresh }));
  const resolve = useMutation(trpc.alerts.resolve.mutationOptions({ onSettled: refresh }));
  const counters = list.data?.counters;

  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Counter label="Active" value={counters?.active ?? 0} tone="text-bad" testId="count-active" />
        <Counter label="Acknowledged" value={counters?.acknowledged ?? 0} tone="text-warn" testId="count-acknowledged" />
        <Counter label="Critical and open" value={counters?.critical ?? 0} tone="text-bad" testId="count-critical" />
        <Counter label="Resolved in 24 h" value={counters?.resolved24h ?? 0} tone="text-ok" testId="count-resolved" />
      </div>

      <form className="flex flex-wrap items-end gap-3 text-sm" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <label className="flex flex-col gap-1">
          <span className="text-muted">Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as Status)} className="rounded-md border border-line bg-surface px-2 py-1.5">
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>{s.label}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-muted">Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value)} className="rounded-md border border-line bg-surface px-2 py-1.5">
            <option value="">All kinds</option>
            {(list.data?.kinds ?? []).map((k) => (
              <option key={k} value={k}>{k.replace(/_/g, " ")}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-muted">App</span>
          <select value={appId} onChange={(e) => setAppId(e.target.value)} className="rounded-md border border-line bg-surface px-2 py-1.5">
            <option value="">All apps</option>
            {(apps.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>{a.name}</option>
            ))}
          </select>
        </label>
      </form>

      {list.isPending ? (
        <Loading what="alerts" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="alerts" />
      ) : list.data.items.length === 0 ? (
        <Empty>{status === "open" && !kind && !appId ? "No open alerts. All quiet." : "No alerts match these filters."}</Empty>
      ) : (
        <ul className="divide-y divide-line rounded-lg border border-line bg-panel" aria-label="Alerts">
          {list.data.items.map((a) => (
            <li key={a.id} className="flex flex-wrap items-start justify-between gap-3 px-4 py-3" data-testid="alert-row" data-alert-kind={a.kind} data-alert-status={a.status}>
              <div className="min-w-0 space-y-1">
                <div className="flex flex-wrap items-center gap-2">
                  <Pill value={a.severity} />
                  <span className="font-medium">{a.title}</span>
                  <Pill value={a.status} />
                </div>
                {a.message ? <p className="text-sm text-muted">{a.message}</p> : null}
                <p className="text-xs text-muted">
                  {a.kind.replace(/_/g, " ")}
                  {a.app ? (
                    <>
                      {" · "}
                      <Link href={`/apps/${a.app.id}/monitoring`} className="text-accent hover:underline">{a.app.name}</Link>
                    </>
                  ) : null}
                  {" · raised "}
                  {timeAgo(a.createdAt)}
                  {a.resolvedAt ? ` · resolved ${timeAgo(a.resolvedAt)}` : ""}
                </p>
              </div>
              <RoleLimited permission="alerts:write" quiet className="flex gap-2">
                {a.status === "active" ? (
                  <button type="button" onClick={() => ack.mutate({ id: a.id })} disabled={ack.isPending} className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2 disabled:opacity-50">
                    Acknowledge
                  </button>
                ) : null}
                {a.status !== "resolved" ? (
                  <button type="button" onClick={() => resolve.mutate({ id: a.id })} disabled={resolve.isPending} className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2 disabled:opacity-50">
                    Resolve
                  </button>
                ) : null}
              </RoleLimited>
            </li>
          ))}
        </ul>
      )}
      {ack.error ?? resolve.error ? <p role="alert" className="text-sm text-bad">{(ack.error ?? resolve.error)?.message}</p> : null}
    </div>
  );
}
