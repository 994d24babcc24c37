"use client";

import { useMutation } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useRef, useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { errorMessage } from "../_ui/error-message";
import { Field, FormError, SubmitButton } from "../_ui/form-parts";

const MIN = 10;

/**
 * Sign-up answers the same whether or not the address already has an account (its owner gets a
 * mail instead), and opens no session. The form then signs in with the password just chosen: a
 * new account lands on the dashboard (with a reminder to confirm the address); otherwise the page
 * only says to check the inbox.
 */
export function SignUpForm({ next }: { next: string }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const [checkInbox, setCheckInbox] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});
  const credentials = useRef({ email: "", password: "" });
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // A full navigation, so server components render with the new session.
      onSuccess: (result) => window.location.assign(result.status === "two_factor_required" ? `/two-factor?next=${encodeURIComponent(next)}` : next),
      onError: () => setCheckInbox(credentials.current.email),
    }),
  );
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: () => signIn.mutate(credentials.current),
      onError(err) {
        const field = err instanceof TRPCClientError ? (err.data as { details?: { field?: string } })?.details?.field : undefined;
        if (field === "password") setFieldErrors({ password: err.message });
        else setError(errorMessage(err));
      },
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const errors: typeof fieldErrors = {};
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) errors.email = "Enter a valid email address, like you@example.com.";
    if (password.length < MIN) errors.password = `Use at least ${MIN} characters.`;
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    credentials.current = { email, password };
    signUp.mutate({ email, password, name: String(form.get("name") ?? "") });
  }
  if (checkInbox) {
    return (
      <div role="status" className="space-y-2 text-sm" data-testid="sign-up-check-inbox">
        <p>
          Check your inbox: we sent a message to <strong>{checkInbox}</strong>. Open it to continue.
        </p>
        <p className="text-muted">
          If you already have an account with this address, <a href={`/sign-in?next=${encodeURIComponent(next)}`} className="text-accent hover:underline">sign in</a> instead.
        </p>
      </div>
    );
  }
  const pending = signUp.isPending || signIn.isPending || signIn.isSuccess;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Create account">
      <FormError message={error} />
      <Field id="name" label="Name (optional)" autoComplete="name" />
      <Field id="email" label="Email" type="email" autoComplete="email" required error={fieldErrors.email} />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        error={fieldErrors.password}
        hint={`At least ${MIN} characters. A few random words work well; common passwords are refused.`}
      />
      <p className="text-xs text-muted">We email you a link to confirm the address. You can use the dashboard right away.</p>
      <SubmitButton pending={pending} pendingText="Creating account…">
        Create account
      </SubmitButton>
    </form>
  );
}
