"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { errorMessage } from "../_ui/error-message";
import { Field, FormError, SubmitButton } from "../_ui/form-parts";

export function SignInForm({ next, initialError }: { next: string; initialError: string | null }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(initialError);
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess(result) {
        // A full navigation, so server components render with the new session.
        window.location.assign(result.status === "two_factor_required" ? `/two-factor?next=${encodeURIComponent(next)}` : next);
      },
      onError: (err) => setError(errorMessage(err)),
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget);
    signIn.mutate({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Sign in">
      <FormError message={error} />
      <Field id="email" label="Email" type="email" autoComplete="username" required />
      <Field id="password" label="Password" type="password" autoComplete="current-password" required />
      <SubmitButton pending={signIn.isPending || signIn.isSuccess} pendingText="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
