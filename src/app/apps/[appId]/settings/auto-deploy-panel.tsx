"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { unreachableWebhookReason } from "@/components/apps/webhook-reach";

export function AutoDeployPanel({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = trpc.apps.autoDeploy.queryKey({ appId });
  const hook = useQuery(trpc.apps.autoDeploy.queryOptions({ appId }));
  const [showSecret, setShowSecret] = useState(false);
  // The state asked for, set in the change handler itself: the mutation's own pending state reaches
  // React a tick later, and a controlled box would snap back in between.
  const [requested, setRequested] = useState<boolean | null>(null);
  const onSuccess = (data: unknown) => {
    queryClient.setQueryData(key, data as never);
    void queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) });
  };
  const toggle = useMutation(trpc.apps.setAutoDeploy.mutationOptions({ onSuccess }));
  const rotate = useMutation(trpc.apps.rotateWebhookSecret.mutationOptions({ onSuccess }));
  if (hook.isPending) return <Loading what="auto-deploy settings" />;
  if (hook.isError) return <ErrorState error={hook.error} what="auto-deploy settings" />;
  const h = hook.data;
  const unreachable = h.url ? unreachableWebhookReason(h.url) : null;
  return (
    <Panel title="Auto-deploy">
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          // Shows the requested state while the change is saved; a failure snaps back.
          checked={requested ?? h.enabled}
          disabled={requested !== null}
          onChange={(e) => {
            const enabled = e.target.checked;
            setRequested(enabled);
            toggle.mutate({ appId, enabled }, { onSettled: () => setRequested(null) });
          }}
        />
        Deploy automatically when {h.branch} is pushed
      </label>
      {h.url ? (
        <div className="mt-3 space-y-2 text-sm">
          <p className="text-muted">
            Add a push webhook at your git host with this URL and secret (content type application/json). GitHub, GitLab, Gitea/Forgejo/Codeberg
            and Bitbucket are recognised; unsigned deliveries are refused.
          </p>
          {unreachable ? (
            <p role="note" data-testid="webhook-unreachable" className="rounded-md border border-warn/60 p-2 text-warn">
              Git hosts on the internet cannot reach this URL: {unreachable}. Pushes will not deploy until the dashboard has a public address: set
              PUBLIC_URL to it (.env.example) or expose this machine through a tunnel, then copy the new URL here. A git server on the same
              network can still use it.
            </p>
          ) : null}
          <dl className="grid gap-2 sm:grid-cols-[8rem_1fr]">
            <dt className="text-muted">Payload URL</dt>
            <dd><code data-testid="webhook-url" className="break-all rounded bg-panel-2 px-1">{h.url}</code></dd>
            <dt className="text-muted">Secret</dt>
            <dd className="flex flex-wrap items-center gap-2">
              <code data-testid="webhook-secret" className="break-all rounded bg-panel-2 px-1">{showSecret ? h.secret : "••••••••••••"}</code>
              <button type="button" onClick={() => setShowSecret((s) => !s)} className="text-xs text-accent hover:underline">{showSecret ? "Hide" : "Reveal"}</button>
              <ConfirmButton
                label="Rotate"
                title="Rotate the webhook secret?"
                description="Deliveries signed with the old secret are refused from now on. Update the secret at your git host."
                confirmLabel="Rotate secret"
                onConfirm={() => rotate.mutateAsync({ appId })}
                className="text-xs text-accent hover:underline"
              />
            </dd>
          </dl>
        </div>
      ) : null}
      {toggle.error ?? rotate.error ? <p role="alert" className="mt-2 text-sm text-bad">{(toggle.error ?? rotate.error)?.message}</p> : null}
    </Panel>
  );
}
