"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { DeployProgress } from "@/components/apps/deploy-progress";
import { Empty, ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { StatusBadge } from "@/components/apps/status-badge";
import { firstLine, formatDuration, sameMessage, shortSha, timeAgo, triggerLabel } from "@/components/apps/format";
import { BuildLog } from "./build-log";
import { ScrollX } from "@/components/scroll-x";
import { useTeamRole } from "@/components/teams/use-team-role";

export function DeploymentsPanel({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.deployments.list.queryOptions({ appId, limit: 50 }));
  const reason = useQuery(trpc.apps.get.queryOptions({ appId })).data?.statusReason;
  const [selected, setSelected] = useState<number | null>(null);
  // Rolling back is a deploy (docs/teams.md): roles without apps:deploy see no Roll back button.
  const mayDeploy = useTeamRole().can("apps:deploy");
  const rollback = useMutation(
    trpc.apps.rollback.mutationOptions({
      onSuccess: (d) => {
        setSelected(d.id);
        void queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey({ appId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) });
      },
    }),
  );
  if (list.isPending) return <Loading what="deployments" />;
  if (list.isError) return <ErrorState error={list.error} what="deployments" />;
  const shown = selected ?? list.data[0]?.id ?? null;
  const shownError = list.data.find((d) => d.id === shown)?.error;

  return (
    <div className="space-y-4">
      <Panel title="Progress">
        <DeployProgress appId={appId} />
      </Panel>
      <Panel title="History">
        {rollback.error ? <p role="alert" className="mb-2 text-sm text-bad">{rollback.error.message}</p> : null}
        {list.data.length === 0 ? (
          <Empty>No deployments yet. Use Deploy on the overview tab.</Empty>
        ) : (
          <ScrollX label="Deployment history">
          <table className="w-full text-left text-sm" data-testid="deployments-table">
            <thead className="text-muted">
              <tr>
                <th scope="col" className="py-2">#</th>
                <th scope="col">Status</th>
                <th scope="col">Commit</th>
                <th scope="col">Branch</th>
                <th scope="col">Triggered by</th>
                <th scope="col">Duration</th>
                <th scope="col">When</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.id} data-deployment-id={d.id} className={`border-t border-line ${d.id === shown ? "bg-panel-2" : ""}`}>
                  <td className="py-2">
                    <button type="button" onClick={() => setSelected(d.id)} className="text-accent hover:underline" aria-label={`Show build log of deployment ${d.number}`}>
                      {d.number}
                    </button>
                    {d.isCurrent ? <span className="ml-1 text-xs text-ok">live</span> : null}
                  </td>
                  <td><StatusBadge status={d.status} /></td>
                  <td className="max-w-xs truncate" title={d.commitMessage}>
                    <code>{shortSha(d.commitSha)}</code> {firstLine(d.commitMessage)}
                    {d.rollbackOf ? <span className="text-xs text-muted"> (rollback of #{d.rollbackOf.number})</span> : null}
                  </td>
                  <td>{d.branch}</td>
                  <td>{triggerLabel(d.trigger, d.triggeredBy)}</td>
                  <td>{formatDuration(d.durationMs)}</td>
                  <td>{timeAgo(d.createdAt)}</td>
                  <td className="text-right">
                    {mayDeploy && d.status === "succeeded" && !d.isCurrent && d.commitSha ? (
                      <ConfirmButton
                        label="Roll back"
                        title={`Roll back to deployment #${d.number}?`}
                        description={<>A new deployment builds commit <code>{shortSha(d.commitSha)}</code> with the app&apos;s current settings and env vars.</>}
                        confirmLabel="Roll back"
                        onConfirm={() => rollback.mutateAsync({ appId, deploymentId: d.id })}
                        className="rounded-md border border-line px-2 py-1 text-xs hover:bg-panel-2"
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </ScrollX>
        )}
      </Panel>
      {shown ? (
        <Panel title={`Build log · deployment #${list.data.find((d) => d.id === shown)?.number ?? ""}`}>
          {/* The header shows the latest failure's reason already; an older deployment's error shows here. */}
          {shownError && !sameMessage(shownError, reason) ? <p role="alert" className="mb-2 text-sm text-bad">{shownError}</p> : null}
          <BuildLog deploymentId={shown} />
        </Panel>
      ) : null}
    </div>
  );
}
