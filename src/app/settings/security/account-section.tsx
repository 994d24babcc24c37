"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useState, type FormEvent } from "react";
import { errorMessage, needsReauth } from "@/app/(auth)/_ui/error-message";
import { Field, FormError, SubmitButton } from "@/app/(auth)/_ui/form-parts";
import { plural } from "@/lib/plural";
import { useTRPC } from "@/lib/trpc/client";
import { ReauthForm } from "./reauth-form";

/** Email, password and Google: every change here needs sudo mode. */
export function AccountSection({ linkNotice }: { linkNotice: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.account.overview.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(linkNotice);
  const [retry, setRetry] = useState<(() => void) | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.overview.queryKey() });
  const handle = (again: () => void) => (err: unknown) => {
    if (needsReauth(err)) setRetry(() => again);
    else setError(errorMessage(err));
  };
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const changeEmail = useMutation(
    trpc.account.changeEmail.mutationOptions({
      onSuccess(r) {
        setNotice(
          r.pendingEmail
            ? `We sent a confirmation link to ${r.pendingEmail}. Your sign-in email stays ${r.email} until you open it; ${r.email} was told about the request.`
            : `Your sign-in email stays ${r.email}.`,
        );
        setEmail("");
        void refresh();
      },
      onError: handle(() => changeEmail.mutate({ email })),
    }),
  );
  const cancelChange = useMutation(
    trpc.account.cancelEmailChange.mutationOptions({
      onSuccess() {
        setNotice("The email change was cancelled; its link no longer works.");
        void refresh();
      },
      onError: (err) => setError(errorMessage(err)),
    }),
  );
  const changePassword = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess(r) {
        setNotice(
          r.otherSessionsRevoked === 0
            ? "Password changed. No other session was signed in."
            : `Password changed. ${plural(r.otherSessionsRevoked, "other session")} ${r.otherSessionsRevoked === 1 ? "was" : "were"} signed out.`,
        );
        setPassword("");
        void refresh();
      },
      onError(err) {
        const field = err instanceof TRPCClientError ? (err.data as { details?: { field?: string } })?.details?.field : undefined;
        if (field === "newPassword") setError(err.message);
        else handle(() => changePassword.mutate({ newPassword: password }))(err);
      },
    }),
  );

  function submitEmail(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    changeEmail.mutate({ email });
  }
  function submitPassword(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    changePassword.mutate({ newPassword: password });
  }

  return (
    <section aria-labelledby="account-title" className="space-y-4 rounded-lg border border-line bg-panel p-5">
      <h2 id="account-title" className="text-lg font-semibold">
        Sign-in methods
      </h2>
      <FormError message={error} />
      {notice ? (
        <p role="status" className="text-sm text-ok">
          {notice}
        </p>
      ) : null}
      {retry ? (
        <ReauthForm
          allowCode={Boolean(me.data?.twoFactor)}
          onCancel={() => setRetry(null)}
          onConfirmed={() => {
            const again = retry;
            setRetry(null);
            again();
            void refresh();
          }}
        />
      ) : null}
      {overview.isPending ? (
        <p role="status" className="text-sm text-muted">
          Loading…
        </p>
      ) : overview.data ? (
        <div className="grid gap-6 md:grid-cols-2">
          <form onSubmit={submitEmail} className="space-y-3" aria-label="Change email">
            <p className="text-sm text-muted" data-testid="email-state">
              Current email: {overview.data.email} ({overview.data.emailVerified ? "confirmed" : "not confirmed yet"})
            </p>
            {overview.data.pendingEmail ? (
              <p className="text-sm" data-testid="pending-email">
                Waiting for confirmation: {overview.data.pendingEmail}.{" "}
                <button type="button" className="text-accent hover:underline" onClick={() => cancelChange.mutate()} disabled={cancelChange.isPending}>
                  Cancel the change
                </button>
              </p>
            ) : null}
            <p className="text-xs text-muted">The new address gets a link; the change happens when it is opened.</p>
            <Field id="new-email" label="New email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
            <SubmitButton pending={changeEmail.isPending} pendingText="Saving…">
              Change email
            </SubmitButton>
          </form>
          <form onSubmit={submitPassword} className="space-y-3" aria-label="Change password">
            <p className="text-sm text-muted">{overview.data.hasPassword ? "Changing it signs out your other sessions." : "Your account has no password yet; set one to sign in with email."}</p>
            {overview.data.sudo ? (
              <p className="text-xs text-muted" data-testid="sudo-note">
                You confirmed your identity in the last 2 hours, so the current password is not asked again. After that window a change asks for it first.
              </p>
            ) : null}
            <Field id="new-password" label="New password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 10 characters." required />
            <SubmitButton pending={changePassword.isPending} pendingText="Saving…">
              {overview.data.hasPassword ? "Change password" : "Set password"}
            </SubmitButton>
          </form>
          {overview.data.googleAvailable ? (
            <div className="space-y-2 text-sm md:col-span-2">
              {overview.data.googleLinked ? (
                <p className="text-ok">Google sign-in is linked to this account.</p>
              ) : overview.data.sudo ? (
                <a href="/api/auth/oidc/start?mode=link" className="inline-block rounded-md border border-line px-3 py-1 hover:bg-panel-2">
                  Link your Google account
                </a>
              ) : (
                <button type="button" onClick={() => setRetry(() => () => window.location.assign("/api/auth/oidc/start?mode=link"))} className="rounded-md border border-line px-3 py-1 hover:bg-panel-2">
                  Link your Google account
                </button>
              )}
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
