"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/(auth)/_ui/error-message";
import { Field, FormError, SubmitButton } from "@/app/(auth)/_ui/form-parts";
import { useTRPC } from "@/lib/trpc/client";

/** Sudo mode: confirm the password (or a TOTP code) before a sensitive action is retried. */
export function ReauthForm({ onConfirmed, onCancel, allowCode }: { onConfirmed: () => void; onCancel: () => void; allowCode: boolean }) {
  const trpc = useTRPC();
  const [useCode, setUseCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reauth = useMutation(trpc.auth.reauth.mutationOptions({ onSuccess: onConfirmed, onError: (err) => setError(errorMessage(err)) }));
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget);
    reauth.mutate(useCode ? { code: String(form.get("reauth-code") ?? "") } : { password: String(form.get("reauth-password") ?? "") });
  }
  return (
    <form onSubmit={onSubmit} aria-label="Confirm it is you" className="space-y-3 rounded-md border border-warn/40 bg-warn/5 p-4">
      <p className="text-sm">This action needs you to confirm it is you (once every 2 hours).</p>
      <FormError message={error} />
      {useCode ? (
        <Field id="reauth-code" label="Authenticator code" autoComplete="one-time-code" inputMode="numeric" maxLength={6} required />
      ) : (
        <Field id="reauth-password" label="Password" type="password" autoComplete="current-password" required />
      )}
      <div className="flex items-center gap-3">
        <SubmitButton pending={reauth.isPending} pendingText="Confirming…">
          Confirm
        </SubmitButton>
        {allowCode ? (
          <button type="button" className="text-sm text-accent hover:underline" onClick={() => setUseCode((v) => !v)}>
            {useCode ? "Use password instead" : "Use an authenticator code instead"}
          </button>
        ) : null}
        <button type="button" className="text-sm text-muted hover:text-strong" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
