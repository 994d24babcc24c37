"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useState } from "react";
import { Empty, ErrorState, Loading } from "@/components/apps/query-states";
import { useTRPC } from "@/lib/trpc/client";

// The charting library is ~130 KiB of compressed JS: loaded only when the charts are shown, so the
// Monitoring tab's first load stays near the other pages' (docs/performance.md).
const UsageChart = dynamic(() => import("./usage-chart").then((m) => m.UsageChart), {
  ssr: false,
  loading: () => <ChartPlaceholder what="chart" />,
});

// Placeholders take the room of what replaces them, so the alert rules below do not move while the
// figures, the history and the chart code arrive one after another (a click aimed at a rule's Save
// button would otherwise land elsewhere).

/** The size of one UsageChart (./usage-chart.tsx): a caption line and an h-48 plot. */
function ChartPlaceholder({ what }: { what: string }) {
  return (
    <div className="rounded-lg border border-line bg-panel p-4">
      <div className="mb-2 h-6" />
      <div className="flex h-48 items-center justify-center">
        <Loading what={what} />
      </div>
    </div>
  );
}

const LIVE_LABELS = ["CPU", "Memory", "Network"];

/** The size of the live figures' three boxes. */
function LivePlaceholder() {
  return (
    <div className="grid grid-cols-3 gap-3" role="status" aria-label="Loading live usage">
      {LIVE_LABELS.map((label) => (
        <div key={label} className="rounded-lg border border-line bg-panel px-4 py-3" aria-hidden>
          <p className="text-xs text-muted">{label} now</p>
          <p className="text-lg font-semibold text-muted">…</p>
        </div>
      ))}
    </div>
  );
}

type Range = "1h" | "24h" | "7d" | "30d";
const RANGES: { value: Range; label: string }[] = [
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
];

function LiveValues({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const live = useQuery({ ...trpc.usage.live.queryOptions({ appId }), refetchInterval: 5_000 });
  if (live.isPending) return <LivePlaceholder />;
  if (live.isError) return <ErrorState error={live.error} what="live usage" />;
  if (!live.data) return <p className="text-sm text-muted" data-testid="live-usage">No live figures: the app is not running or its worker has not reported in the last minute.</p>;
  const l = live.data;
  const items = [
    { label: "CPU", value: `${l.cpuPct.toFixed(1)} %` },
    { label: "Memory", value: `${l.memMb.toFixed(0)} MiB${l.memLimitMb > 0 ? ` of ${l.memLimitMb.toFixed(0)}` : ""}` },
    { label: "Network", value: `${l.netMbps.toFixed(2)} Mbps` },
  ];
  return (
    <dl className="grid grid-cols-3 gap-3" data-testid="live-usage">
      {items.map((i) => (
        <div key={i.label} className="rounded-lg border border-line bg-panel px-4 py-3">
          <dt className="text-xs text-muted">{i.label} now</dt>
          <dd className="text-lg font-semibold">{i.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Usage history from usage_samples (5-minute buckets) for a chosen range, plus the live value. */
export function UsageCharts({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<Range>("24h");
  const series = useQuery({ ...trpc.usage.series.queryOptions({ appId, range }), refetchInterval: 60_000 });
  const points = series.data?.points ?? [];
  const longRange = range === "7d" || range === "30d";
  const pick = (avg: (p: (typeof points)[number]) => number, max: (p: (typeof points)[number]) => number) =>
    points.map((p) => ({ at: new Date(p.at).getTime(), avg: avg(p), max: max(p) }));

  return (
    <section aria-labelledby="usage-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="usage-heading" className="text-lg font-medium">Usage</h2>
        <div role="radiogroup" aria-label="Time range" className="flex gap-1 rounded-md border border-line p-0.5 text-sm">
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              role="radio"
              aria-checked={range === r.value}
              onClick={() => setRange(r.value)}
              className={`rounded px-2 py-1 ${range === r.value ? "bg-accent text-black" : "text-muted hover:text-strong"}`}
            >
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <LiveValues appId={appId} />
      {series.isPending ? (
        <div className="grid gap-4 lg:grid-cols-3">
          {LIVE_LABELS.map((label) => (
            <ChartPlaceholder key={label} what="usage history" />
          ))}
        </div>
      ) : series.isError ? (
        <ErrorState error={series.error} what="usage history" />
      ) : points.length === 0 ? (
        <Empty>No usage recorded in this range yet. Samples are written every minute while the app runs.</Empty>
      ) : (
        <div className="grid gap-4 lg:grid-cols-3">
          <UsageChart title="CPU" unit="%" testId="chart-cpu" longRange={longRange} points={pick((p) => p.cpuAvg, (p) => p.cpuMax)} />
          <UsageChart title="Memory" unit="MiB" testId="chart-memory" longRange={longRange} points={pick((p) => p.memAvgMb, (p) => p.memMaxMb)} />
          <UsageChart title="Network" unit="Mbps" testId="chart-network" longRange={longRange} points={pick((p) => p.netAvgMbps, (p) => p.netMaxMbps)} />
        </div>
      )}
    </section>
  );
}
