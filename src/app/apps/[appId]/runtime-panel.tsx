"use client";

import Link from "next/link";
import type { AppRuntimeView } from "@/server/apps/app-runtime-view";
import type { Enforcement } from "@/protocol/runtime-report";
import { Panel } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";

const ENFORCED: Record<Enforcement, string> = {
  engine: "enforced by the container engine",
  agent: "watched by the worker: the app is stopped when over",
  none: "not limited on this worker",
};

function mib(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1048576))} MiB`;
}

/**
 * How the app runs on its worker, as the worker reported it when it last deployed or started the
 * app (src/server/apps/app-runtime-view.ts): runtime, image, container, the limits that really
 * hold, and the health check.
 */
export function RuntimePanel({ appId, runtime }: { appId: number; runtime: AppRuntimeView }) {
  const r = runtime.report;
  const settings = runtime.healthCheck;
  const settingsLink = <Link href={`/apps/${appId}/settings`} className="text-accent hover:underline">Settings</Link>;
  if (!r) {
    return (
      <Panel title="Runtime" actions={settingsLink}>
        <p className="text-sm text-muted">Not reported yet: the worker tells how the app runs when it deploys or starts it.</p>
        <dl className="mt-3 grid grid-cols-3 gap-2 text-sm wrap-anywhere">
          <dt className="text-muted">Health check</dt>
          <dd className="col-span-2">GET <code>{settings.path}</code> within {settings.timeoutSeconds} s</dd>
        </dl>
      </Panel>
    );
  }
  const checkChanged = r.health_check.path !== settings.path || r.health_check.timeout_seconds !== settings.timeoutSeconds;
  const limits = [
    { label: "Memory", value: `${r.limits.memory_mb.value} MiB`, by: r.limits.memory_mb.enforced_by },
    { label: "CPU", value: `${r.limits.cpu.value} CPU`, by: r.limits.cpu.enforced_by },
    { label: "Processes", value: String(r.limits.pids.value), by: r.limits.pids.enforced_by },
    { label: "Disk", value: `${r.limits.disk_mb.value} MiB`, by: r.limits.disk_mb.enforced_by },
  ];
  return (
    <Panel title="Runtime" actions={settingsLink}>
      {r.isolation_note ? (
        <p role="note" className="mb-3 rounded-md border border-warn/40 bg-warn/5 px-3 py-2 text-sm">
          <strong>Not isolated.</strong> {r.isolation_note}
        </p>
      ) : null}
      <dl className="grid grid-cols-3 gap-2 text-sm wrap-anywhere">
        <dt className="text-muted">Runtime</dt>
        <dd className="col-span-2">{r.kind === "container" ? `Container${r.engine ? ` (${r.engine})` : ""}` : "Process (no container engine on the worker)"}</dd>
        {r.image ? (
          <>
            <dt className="text-muted">Image</dt>
            <dd className="col-span-2 break-all"><code>{r.image}</code>{r.image_size_bytes !== undefined ? ` · ${mib(r.image_size_bytes)}` : ""}</dd>
          </>
        ) : null}
        {r.containerId ? (
          <>
            <dt className="text-muted">{r.kind === "container" ? "Container" : "Process"}</dt>
            <dd className="col-span-2"><code title={r.containerId}>{r.kind === "container" ? r.containerId.slice(0, 12) : r.containerId}</code></dd>
          </>
        ) : null}
        <dt className="text-muted">Limits</dt>
        <dd className="col-span-2">
          <ul className="space-y-0.5">
            {limits.map((l) => (
              <li key={l.label}>
                {l.label} {l.value} <span className="text-muted">— {ENFORCED[l.by]}</span>
              </li>
            ))}
          </ul>
        </dd>
        {r.build_limits ? (
          <>
            <dt className="text-muted">Last build</dt>
            <dd className="col-span-2">{r.build_limits.cpu} CPU · {r.build_limits.memory_mb} MiB · up to {Math.round(r.build_limits.timeout_seconds / 60)} min</dd>
          </>
        ) : null}
        <dt className="text-muted">Health check</dt>
        <dd className="col-span-2">
          GET <code>{r.health_check.path}</code> answered 2xx/3xx within {r.health_check.timeout_seconds} s
          {checkChanged ? <span className="block text-xs text-muted">Next deploy: GET {settings.path} within {settings.timeoutSeconds} s</span> : null}
        </dd>
        <dt className="text-muted">Reported</dt>
        <dd className="col-span-2">{timeAgo(r.reportedAt)}</dd>
      </dl>
    </Panel>
  );
}
