"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { errorMessage, restartSignIn } from "../_ui/error-message";
import { Field, FormError, SubmitButton } from "../_ui/form-parts";

export function ChallengeForm({ next }: { next: string }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const complete = useMutation(
    trpc.auth.completeTwoFactor.mutationOptions({
      onSuccess: () => window.location.assign(next),
      onError(err) {
        setError(errorMessage(err));
        setExpired(restartSignIn(err));
      },
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const code = String(new FormData(e.currentTarget).get("code") ?? "");
    complete.mutate({ code: code.replace(/\s+/g, "") });
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Two-factor code">
      <p className="text-sm text-muted">Enter the 6-digit code from your authenticator app, or one of your backup codes.</p>
      <FormError message={error} />
      {expired ? (
        <a href={`/sign-in?next=${encodeURIComponent(next)}`} className="text-sm text-accent hover:underline">
          Sign in again
        </a>
      ) : null}
      <Field id="code" label="Authentication code" autoComplete="one-time-code" inputMode="text" autoFocus required maxLength={11} />
      <SubmitButton pending={complete.isPending || complete.isSuccess} pendingText="Checking…">
        Verify
      </SubmitButton>
    </form>
  );
}
