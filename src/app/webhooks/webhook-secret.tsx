"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { useTRPC } from "@/lib/trpc/client";

/** Reveal and rotate the endpoint's `whsec_` signing secret. */
export function WebhookSecret({ webhookId }: { webhookId: number }) {
  const trpc = useTRPC();
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const reveal = useMutation(trpc.webhooks.revealSecret.mutationOptions({ onSuccess: (r) => setSecret(r.secret) }));
  const rotate = useMutation(trpc.webhooks.rotateSecret.mutationOptions({ onSuccess: (r) => setSecret(r.secret) }));

  return (
    <div className="space-y-2 rounded-md border border-line bg-panel-2 p-3">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-xs text-muted">Signing secret</span>
        {secret ? (
          <>
            <code data-testid="webhook-secret" className="break-all rounded bg-surface px-2 py-0.5 text-xs">{secret}</code>
            <button
              type="button"
              className="rounded-md border border-line px-2 py-0.5 text-xs hover:bg-panel"
              onClick={() => {
                void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className="rounded-md border border-line px-2 py-0.5 text-xs hover:bg-panel" onClick={() => setSecret(null)}>Hide</button>
          </>
        ) : (
          <button type="button" className="rounded-md border border-line px-2 py-0.5 text-xs hover:bg-panel" disabled={reveal.isPending} onClick={() => reveal.mutate({ id: webhookId })}>
            Reveal
          </button>
        )}
        <ConfirmButton
          label="Rotate"
          title="Rotate the signing secret?"
          description="Deliveries are signed with the new secret from now on. Update your receiver right away or it will reject them."
          confirmLabel="Rotate secret"
          onConfirm={() => rotate.mutateAsync({ id: webhookId })}
          className="rounded-md border border-line px-2 py-0.5 text-xs hover:bg-panel"
        />
      </div>
      <p className="text-xs text-muted">Verify the webhook-signature header with this secret (Standard Webhooks libraries do it in one call).</p>
      {reveal.error ?? rotate.error ? <p role="alert" className="text-xs text-bad">{(reveal.error ?? rotate.error)?.message}</p> : null}
    </div>
  );
}
