"use client";

import { useQuery } from "@tanstack/react-query";
import { Empty, ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { plural } from "@/lib/plural";
import { Pill } from "@/components/jobs/severity-badge";
import { useTRPC } from "@/lib/trpc/client";

function Meter({ used, cap, unit, label }: { used: number; cap: number; unit: string; label: string }) {
  const pct = cap > 0 ? Math.min(100, (used / cap) * 100) : 0;
  return (
    <div className="min-w-32">
      <div className="text-xs">{`${Number(used.toFixed(2))} / ${Number(cap.toFixed(2))} ${unit}`}</div>
      <div className="h-1.5 rounded bg-panel-2" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={cap} aria-valuenow={used}>
        <div className={`h-1.5 rounded ${pct > 90 ? "bg-bad" : pct > 70 ? "bg-warn" : "bg-ok"}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function WorkersTable() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.admin.workers.queryOptions(), refetchInterval: 10_000 });
  if (q.isPending) return <Loading what="workers" />;
  if (q.isError) return <ErrorState error={q.error} what="workers" />;
  const { stats, workers, pendingJobs, waiting } = q.data;
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="fleet-stats">
        <div className="rounded-lg border border-line bg-panel px-4 py-3"><div className="text-xl font-semibold">{stats.online} / {stats.total}</div><div className="text-xs text-muted">online</div></div>
        <div className="rounded-lg border border-line bg-panel px-4 py-3"><Meter used={stats.usedCpu} cap={stats.capCpu} unit="CPU" label="Fleet CPU reserved" /></div>
        <div className="rounded-lg border border-line bg-panel px-4 py-3"><Meter used={stats.usedMem} cap={stats.capMem} unit="MiB" label="Fleet memory reserved" /></div>
        <div className="rounded-lg border border-line bg-panel px-4 py-3"><div className="text-xl font-semibold">{stats.runningApps}</div><div className="text-xs text-muted">running {stats.runningApps === 1 ? "app" : "apps"} · {plural(pendingJobs, "job")} pending</div></div>
      </div>
      {workers.length === 0 ? (
        <Empty>No workers registered yet. Start one with <code>npm run agent</code>.</Empty>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-line bg-panel">
          <table className="w-full text-left text-sm" data-testid="workers-table">
            <caption className="sr-only">Workers</caption>
            <thead className="text-xs text-muted">
              <tr>
                <th scope="col" className="px-3 py-2">Worker</th>
                <th scope="col">Status</th>
                <th scope="col">Zone / region</th>
                <th scope="col">CPU reserved</th>
                <th scope="col">Memory reserved</th>
                <th scope="col">Running apps</th>
                <th scope="col">Active jobs</th>
                <th scope="col">Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => (
                <tr key={w.id} className="border-t border-line" data-testid="worker-row" data-worker-name={w.name}>
                  <td className="px-3 py-2"><div className="font-medium">{w.name}</div><div className="text-xs text-muted">{w.ip || "—"}</div></td>
                  <td><Pill value={w.status} /></td>
                  <td className="text-xs">{w.zone || "—"} / {w.regionName || "—"}</td>
                  <td><Meter used={w.usedCpu} cap={w.capCpu} unit="CPU" label={`${w.name} CPU reserved`} /></td>
                  <td><Meter used={w.usedMem} cap={w.capMem} unit="MiB" label={`${w.name} memory reserved`} /></td>
                  <td>{w.runningApps}</td>
                  <td>{w.activeJobs}</td>
                  <td className="text-xs">{timeAgo(w.lastHeartbeat)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {waiting.length > 0 ? (
        <Panel title="Jobs waiting for capacity">
          <ul className="space-y-1 text-sm">
            {waiting.map((j) => (
              <li key={j.id}>
                <span className="font-mono text-xs">#{j.id} {j.type}</span> app {j.appId} ({j.reqCpu} CPU, {j.reqMem} MiB): <span className="text-warn">{j.pendingReason}</span>
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}
    </div>
  );
}
