"use client";

import { plural } from "@/lib/plural";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartPoint {
  at: number;
  avg: number;
  max: number;
}

function tick(ms: number, longRange: boolean): string {
  const d = new Date(ms);
  return longRange ? d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** One metric over time: average and peak per step. */
export function UsageChart({ title, unit, points, longRange, testId }: { title: string; unit: string; points: ChartPoint[]; longRange: boolean; testId: string }) {
  const latest = points.at(-1);
  return (
    <figure className="rounded-lg border border-line bg-panel p-4" data-testid={testId}>
      <figcaption className="mb-2 flex items-baseline justify-between">
        <span className="font-medium">{title}</span>
        <span className="text-xs text-muted">{latest ? `latest avg ${latest.avg.toFixed(1)} ${unit}` : "no data"}</span>
      </figcaption>
      <div className="h-48" role="img" aria-label={`${title} chart, ${plural(points.length, "point")}`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#2a303b" strokeDasharray="3 3" />
            <XAxis dataKey="at" type="number" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={(v: number) => tick(v, longRange)} stroke="#8b93a3" fontSize={11} />
            <YAxis stroke="#8b93a3" fontSize={11} width={44} />
            <Tooltip
              contentStyle={{ background: "#161a21", border: "1px solid #2a303b" }}
              labelFormatter={(v) => new Date(Number(v)).toLocaleString()}
              formatter={(value) => [`${Number(value).toFixed(2)} ${unit}`]}
            />
            <Legend />
            <Line type="monotone" dataKey="avg" name="average" stroke="#7c9cff" dot={points.length < 3} isAnimationActive={false} />
            <Line type="monotone" dataKey="max" name="peak" stroke="#f5b44a" dot={points.length < 3} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
