"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { useTeamRole } from "@/components/teams/use-team-role";
import { ConfirmButton } from "./confirm-button";
import { clearEnvChanged } from "./env-change-store";
import { ACTION_HELP } from "./action-help";

/** Deploy / redeploy / restart / stop / start; the server refuses while another job runs. */
export function AppActions({ appId, status, hasWorker }: { appId: number; status: string; hasWorker: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey({ appId }) }),
    ]);
  // A build takes the current env vars, so the Environment page's "redeploy to apply" is done.
  const built = () => {
    clearEnvChanged(appId);
    return refresh();
  };
  const deploy = useMutation(trpc.apps.deploy.mutationOptions({ onSuccess: built }));
  const redeploy = useMutation(trpc.apps.redeploy.mutationOptions({ onSuccess: built }));
  const restart = useMutation(trpc.apps.restart.mutationOptions({ onSuccess: refresh }));
  const stop = useMutation(trpc.apps.stop.mutationOptions({ onSuccess: refresh }));
  const start = useMutation(trpc.apps.start.mutationOptions({ onSuccess: refresh }));
  const error = deploy.error ?? redeploy.error ?? restart.error ?? stop.error ?? start.error;
  // Roles without apps:deploy see the buttons disabled, with the reason (docs/teams.md).
  const role = useTeamRole();
  const busy = !role.can("apps:deploy") || deploy.isPending || redeploy.isPending || restart.isPending || stop.isPending || start.isPending;
  const button = "rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2 disabled:opacity-50";
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <button type="button" disabled={busy} onClick={() => deploy.mutate({ appId })} title={ACTION_HELP.deploy} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">
          Deploy
        </button>
        {hasWorker ? (
          <>
            <button type="button" disabled={busy} onClick={() => redeploy.mutate({ appId })} title={ACTION_HELP.redeploy} className={button}>Redeploy</button>
            <button type="button" disabled={busy} onClick={() => restart.mutate({ appId })} title={ACTION_HELP.restart} className={button}>Restart</button>
            {status === "stopped" ? (
              <button type="button" disabled={busy} onClick={() => start.mutate({ appId })} className={button}>Start</button>
            ) : (
              <ConfirmButton
                label="Stop"
                title="Stop the app?"
                description="The app stops serving traffic until you start it again."
                confirmLabel="Stop app"
                danger
                disabled={busy}
                onConfirm={() => stop.mutateAsync({ appId })}
              />
            )}
          </>
        ) : null}
      </div>
      <details className="text-xs text-muted" data-testid="action-help">
        <summary className="cursor-pointer select-none">Deploy, Redeploy or Restart?</summary>
        <ul className="mt-1 list-disc space-y-0.5 pl-4">
          <li>{ACTION_HELP.deploy}</li>
          {hasWorker ? <li>{ACTION_HELP.redeploy}</li> : null}
          {hasWorker ? <li>{ACTION_HELP.restart}</li> : null}
        </ul>
      </details>
      {error ? <p role="alert" className="text-sm text-bad">{error.message}</p> : null}
      {role.team && !role.can("apps:deploy") ? <p className="text-sm text-muted" data-testid="role-reason">{role.reason("apps:deploy")}</p> : null}
    </div>
  );
}
