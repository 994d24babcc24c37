"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSyncExternalStore } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { useTeamRole } from "@/components/teams/use-team-role";
import { clearEnvChanged, envChanged, subscribeEnvChanged } from "./env-change-store";

/** Whether this tab changed the app's env vars since its last deploy request. */
export function useEnvChanged(appId: number): boolean {
  return useSyncExternalStore(
    subscribeEnvChanged,
    () => envChanged(appId),
    () => false,
  );
}

/**
 * "Redeploy to apply": env vars reach the app only through a new build (a restart keeps the values
 * the running version started with, src/agent/runtime/*), so a change says so with the button.
 */
export function RedeployNotice({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const changed = useEnvChanged(appId);
  const role = useTeamRole();
  const redeploy = useMutation(
    trpc.apps.redeploy.mutationOptions({
      onSuccess: () => {
        clearEnvChanged(appId);
        void queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.deployments.list.queryKey({ appId }) });
      },
    }),
  );
  if (redeploy.isSuccess) {
    return (
      <p role="status" data-testid="redeploy-notice" className="rounded-lg border border-line bg-panel p-3 text-sm">
        Redeploying with the new values.{" "}
        <Link href={`/apps/${appId}/deployments`} className="text-accent hover:underline">
          Follow the build
        </Link>
      </p>
    );
  }
  if (!changed) return null;
  return (
    <div role="status" data-testid="redeploy-notice" className="flex flex-wrap items-center gap-3 rounded-lg border border-warn/60 bg-panel p-3 text-sm">
      <span className="flex-1">
        Saved. The running app still has the old values: <strong>redeploy to apply</strong> them (Restart keeps the old ones).
      </span>
      <button
        type="button"
        disabled={redeploy.isPending || !role.can("apps:deploy")}
        onClick={() => redeploy.mutate({ appId })}
        className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50"
      >
        {redeploy.isPending ? "Redeploying…" : "Redeploy now"}
      </button>
      <button type="button" onClick={() => clearEnvChanged(appId)} className="text-xs text-muted hover:underline">
        Later
      </button>
      {redeploy.error ? <p role="alert" className="basis-full text-bad">{redeploy.error.message}</p> : null}
    </div>
  );
}
