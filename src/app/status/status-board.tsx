"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

function Badge({ ok }: { ok: boolean }) {
  return (
    <span
      data-testid="status-badge"
      className={`rounded-full px-2 py-0.5 text-xs font-medium ${ok ? "bg-ok/15 text-ok" : "bg-bad/15 text-bad"}`}
    >
      {ok ? "healthy" : "down"}
    </span>
  );
}

function Row({ id, name, ok, detail }: { id: string; name: string; ok: boolean; detail: string }) {
  return (
    <li data-testid={`component-${id}`} data-healthy={ok} className="flex items-center justify-between gap-4 px-4 py-3">
      <div>
        <div className="font-medium">{name}</div>
        <div className="text-sm text-muted">{detail}</div>
      </div>
      <Badge ok={ok} />
    </li>
  );
}

/** Live component health, refreshed every 5 seconds. */
export function StatusBoard() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.status.overview.queryOptions(), refetchInterval: 5_000 });
  if (status.isPending) return <p className="text-muted" role="status">Checking components…</p>;
  if (status.isError) {
    return (
      <p role="alert" className="text-bad">
        Could not read the platform status: {status.error.message}
      </p>
    );
  }
  const s = status.data;
  const workersOk = s.workers.total === 0 || s.workers.online > 0;
  return (
    <div className="space-y-4">
      <ul className="divide-y divide-line rounded-lg border border-line bg-panel">
        <Row id="database" name="Database" ok={s.database.ok} detail={s.database.detail} />
        <Row id="jobs" name="Jobs process" ok={s.jobs.ok} detail={s.jobs.detail} />
        <Row id="hub" name="ws-hub" ok={s.hub.ok} detail={s.hub.detail} />
        <Row
          id="workers"
          name="Workers"
          ok={workersOk}
          detail={`${s.workers.online} online, ${s.workers.offline} offline, ${s.workers.total} registered`}
        />
      </ul>
      <p className="text-xs text-muted">Checked {s.checkedAt.toLocaleTimeString()}</p>
    </div>
  );
}
