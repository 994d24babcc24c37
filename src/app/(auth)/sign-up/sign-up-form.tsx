"use client";

import { useMutation } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { errorMessage } from "../_ui/error-message";
import { Field, FormError, SubmitButton } from "../_ui/form-parts";

const MIN = 10;

export function SignUpForm() {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: () => window.location.assign("/"),
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
    signUp.mutate({ email, password, name: String(form.get("name") ?? "") });
  }
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
      <SubmitButton pending={signUp.isPending || signUp.isSuccess} pendingText="Creating account…">
        Create account
      </SubmitButton>
    </form>
  );
}
