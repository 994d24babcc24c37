"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { sameMessage, untrack } from "./format";
import { DeployControls } from "./deploy-controls";
import { StatusBadge } from "./status-badge";

interface Progress {
  jobId: number;
  deploymentId: number | null;
  jobNumber: number;
  deploymentNumber: number | null;
  status: string;
  progress: number;
  message: string;
}

/** The app's latest job, live: status, progress bar and the worker's message. */
export function DeployProgress({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [p, setP] = useState<Progress | null>(null);
  // The header above already shows a failed app's reason (app-header.tsx): not twice.
  const reason = useQuery(trpc.apps.get.queryOptions({ appId })).data?.statusReason;
  const sub = useSubscription(
    trpc.apps.onDeployProgress.subscriptionOptions(
      { appId },
      {
        onData: (event) => {
          const next = untrack<Progress>(event).data;
          setP(next);
          if (next.status === "completed" || next.status === "failed" || next.status === "cancelled") {
            void queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) });
            void queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey({ appId }) });
          }
        },
      },
    ),
  );
  if (!p) return <p className="text-sm text-muted">{sub.status === "error" ? "Live progress unavailable; reload to retry." : "No jobs yet."}</p>;
  const active = p.status === "pending" || p.status === "assigned" || p.status === "processing";
  return (
    <div className="space-y-2" data-testid="deploy-progress" data-status={p.status}>
      <div className="flex items-center gap-2 text-sm">
        <span data-testid="job-number">Job #{p.jobNumber}</span>
        <StatusBadge status={p.status} />
        {p.deploymentNumber ? <span className="text-muted" data-testid="progress-deployment-number">deployment #{p.deploymentNumber}</span> : null}
        <span className="ml-auto text-muted" data-testid="progress-percent">{p.progress}%</span>
      </div>
      <div className="h-2 overflow-hidden rounded bg-panel-2" role="progressbar" aria-valuenow={p.progress} aria-valuemin={0} aria-valuemax={100} aria-label="Job progress">
        <div className={`h-full ${p.status === "failed" ? "bg-bad" : p.status === "cancelled" ? "bg-line" : active ? "bg-accent" : "bg-ok"}`} style={{ width: `${Math.max(active ? 3 : 0, p.progress)}%` }} />
      </div>
      {p.message && !sameMessage(p.message, reason) ? <p className="text-xs text-muted wrap-anywhere">{p.message}</p> : null}
      {p.deploymentId ? <DeployControls appId={appId} deploymentId={p.deploymentId} status={p.status} /> : null}
    </div>
  );
}
