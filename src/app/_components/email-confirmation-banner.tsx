"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/app/(auth)/_ui/error-message";
import { useTRPC } from "@/lib/trpc/client";

/**
 * Shown while the account's address is unconfirmed: everything works, but an address listed in
 * ADMIN_EMAILS becomes administrator only once confirmed, and the link also proves the address
 * is really the user's. In development the link is in the mail catcher (Mail in the menu).
 */
export function EmailConfirmationBanner() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.account.overview.queryOptions());
  const [message, setMessage] = useState<string | null>(null);
  const resend = useMutation(
    trpc.account.resendVerification.mutationOptions({
      onSuccess: (r) => setMessage(r.alreadyVerified ? "Your address is already confirmed." : `Sent a new link to ${r.sentTo}.`),
      onError: (err) => setMessage(errorMessage(err)),
    }),
  );
  if (!overview.data || overview.data.emailVerified) return null;
  return (
    <div role="status" data-testid="email-confirmation-banner" className="flex flex-wrap items-center gap-3 rounded-md border border-warn/40 bg-warn/5 px-4 py-3 text-sm">
      <span>
        Confirm your email address: we sent a link to <strong>{overview.data.email}</strong>.
      </span>
      <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending} className="rounded-md border border-line px-2 py-0.5 hover:bg-panel-2 disabled:opacity-60">
        {resend.isPending ? "Sending…" : "Send it again"}
      </button>
      {message ? <span className="text-muted">{message}</span> : null}
    </div>
  );
}
