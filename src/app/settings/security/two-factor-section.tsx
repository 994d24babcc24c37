"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, needsReauth } from "@/app/(auth)/_ui/error-message";
import { Field, FormError, SubmitButton } from "@/app/(auth)/_ui/form-parts";
import { useTRPC } from "@/lib/trpc/client";
import { BackupCodesPanel } from "./backup-codes-panel";
import { ReauthForm } from "./reauth-form";

export function TwoFactorSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const [error, setError] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [retry, setRetry] = useState<(() => void) | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() });

  const onError = (again: () => void) => (err: unknown) => {
    if (needsReauth(err)) setRetry(() => again);
    else setError(errorMessage(err));
  };
  // Turning 2FA on needs a recent password check too (sudo mode), like turning it off.
  const begin = useMutation(trpc.twoFactor.beginSetup.mutationOptions({ onError: onError(() => begin.mutate()) }));
  const [setupCode, setSetupCode] = useState("");
  const enable = useMutation(
    trpc.twoFactor.enable.mutationOptions({
      onSuccess(result) {
        setCodes(result.backupCodes);
        begin.reset();
        void refresh();
      },
      onError: onError(() => enable.mutate({ code: setupCode })),
    }),
  );
  const [disableCode, setDisableCode] = useState("");
  const disable = useMutation(
    trpc.twoFactor.disable.mutationOptions({
      onSuccess: () => {
        setDisableCode("");
        void refresh();
      },
      onError: onError(() => disable.mutate({ code: disableCode })),
    }),
  );
  const regenerate = useMutation(
    trpc.twoFactor.regenerateBackupCodes.mutationOptions({
      onSuccess(result) {
        setCodes(result.backupCodes);
        void refresh();
      },
      onError: onError(() => regenerate.mutate()),
    }),
  );

  function onEnable(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const code = String(new FormData(e.currentTarget).get("setup-code") ?? "").replace(/\s+/g, "");
    setSetupCode(code);
    enable.mutate({ code });
  }
  function onDisable(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    disable.mutate({ code: disableCode.replace(/\s+/g, "") });
  }

  return (
    <section aria-labelledby="twofa-title" className="space-y-4 rounded-lg border border-line bg-panel p-5">
      <div>
        <h2 id="twofa-title" className="text-lg font-semibold">
          Two-factor authentication
        </h2>
        {status.isPending ? (
          <p className="text-sm text-muted" role="status">
            Loading…
          </p>
        ) : status.data?.enabled ? (
          <p className="text-sm text-ok" data-testid="twofa-status">
            On. {status.data.backupCodesLeft} backup codes left.
          </p>
        ) : (
          <p className="text-sm text-muted" data-testid="twofa-status">
            Off. Add an authenticator app so a password alone cannot open your account.
          </p>
        )}
      </div>
      <FormError message={error} />
      {retry ? (
        <ReauthForm
          allowCode={Boolean(status.data?.enabled)}
          onCancel={() => setRetry(null)}
          onConfirmed={() => {
            const again = retry;
            setRetry(null);
            again();
          }}
        />
      ) : null}
      {codes ? <BackupCodesPanel codes={codes} onDone={() => setCodes(null)} /> : null}

      {status.data && !status.data.enabled ? (
        begin.data ? (
          <div className="grid gap-4 md:grid-cols-[220px_1fr]">
            <img src={begin.data.qrDataUrl} alt="QR code to scan with your authenticator app" width={220} height={220} className="rounded bg-white" />
            <form onSubmit={onEnable} className="space-y-3" aria-label="Turn on two-factor authentication">
              <p className="text-sm">Scan the QR code with your authenticator app, or enter this key by hand:</p>
              <code className="block break-all rounded bg-panel-2 px-2 py-1 font-mono text-sm" data-testid="totp-secret">
                {begin.data.secret}
              </code>
              <Field id="setup-code" label="Code from the app" autoComplete="one-time-code" inputMode="numeric" maxLength={6} required />
              <SubmitButton pending={enable.isPending} pendingText="Verifying…">
                Turn on
              </SubmitButton>
            </form>
          </div>
        ) : (
          <button
            type="button"
            onClick={() => {
              setError(null);
              begin.mutate();
            }}
            disabled={begin.isPending}
            className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-surface disabled:opacity-60"
          >
            {begin.isPending ? "Preparing…" : "Set up two-factor authentication"}
          </button>
        )
      ) : null}

      {status.data?.enabled ? (
        <div className="grid gap-6 md:grid-cols-2">
          <form onSubmit={onDisable} className="space-y-3" aria-label="Turn off two-factor authentication">
            <Field id="disable-code" label="Current code to turn off 2FA" value={disableCode} onChange={(e) => setDisableCode(e.target.value)} inputMode="numeric" maxLength={6} required />
            <SubmitButton pending={disable.isPending} pendingText="Turning off…" tone="bad">
              Turn off
            </SubmitButton>
          </form>
          <div className="space-y-3">
            <p className="text-sm text-muted">New backup codes replace the old set: the old codes stop working.</p>
            <button type="button" onClick={() => regenerate.mutate()} disabled={regenerate.isPending} className="rounded-md border border-line px-4 py-2 text-sm hover:bg-panel-2 disabled:opacity-60">
              {regenerate.isPending ? "Generating…" : "Generate new backup codes"}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
