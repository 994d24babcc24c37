"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { useTeamRole } from "@/components/teams/use-team-role";
import { formatDuration } from "./format";

const ACTIVE = new Set(["pending", "assigned", "processing"]);

/** Re-renders every second while `on`, so a running timer moves. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

/**
 * Under the deploy progress bar: how long the deployment has taken (since it was queued; the
 * final time once it ended) and, while it runs, **Cancel deployment** (apps.cancelDeployment,
 * src/server/apps/deployments/cancel-deployment.ts), which stops the worker's build.
 */
export function DeployControls({ appId, deploymentId, status }: { appId: number; deploymentId: number; status: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const active = ACTIVE.has(status);
  // Refetched when the status changes, so the ended deployment's finishedAt arrives.
  const deployment = useQuery(trpc.deployments.get.queryOptions({ deploymentId }));
  const { refetch } = deployment;
  useEffect(() => {
    void refetch();
  }, [status, refetch]);
  const now = useNow(active);
  // Cancelling is a deploy action (docs/teams.md): roles without apps:deploy see no button.
  const mayDeploy = useTeamRole().can("apps:deploy");
  const cancel = useMutation(
    trpc.apps.cancelDeployment.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey({ appId }) }),
        ]),
    }),
  );
  const d = deployment.data;
  const since = d ? new Date(d.createdAt).getTime() : null;
  const until = active ? now : d?.finishedAt ? new Date(d.finishedAt).getTime() : null;
  const elapsed = since !== null && until !== null ? Math.max(0, until - since) : null;
  return (
    <div className="flex flex-wrap items-center gap-3 text-xs text-muted">
      {elapsed !== null ? (
        <span data-testid="deploy-elapsed" aria-live="off">
          {active ? "Elapsed" : "Took"} {formatDuration(elapsed)}
        </span>
      ) : null}
      {active && mayDeploy ? (
        <button
          type="button"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate({ appId })}
          className="rounded-md border border-bad/60 px-2 py-1 text-bad hover:bg-bad/10 disabled:opacity-50"
        >
          {cancel.isPending ? "Cancelling…" : "Cancel deployment"}
        </button>
      ) : null}
      {cancel.error ? <span role="alert" className="text-bad">{cancel.error.message}</span> : null}
    </div>
  );
}
