"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/(auth)/_ui/error-message";
import { Field, FormError, SubmitButton } from "@/app/(auth)/_ui/form-parts";
import { useTRPC } from "@/lib/trpc/client";

export function SetupForm() {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const claim = useMutation(trpc.setup.claim.mutationOptions({ onError: (err) => setError(errorMessage(err)) }));
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    claim.mutate({ token: String(new FormData(e.currentTarget).get("setup-token") ?? "") });
  }
  if (claim.isSuccess) {
    return (
      <p className="text-sm text-ok" role="status">
        This account is now the platform administrator.{" "}
        <a href="/admin/workers" className="text-accent hover:underline">
          Open the workers page
        </a>
      </p>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Claim administrator">
      <FormError message={error} />
      <Field id="setup-token" label="Setup token" autoComplete="off" spellCheck={false} placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" required />
      <SubmitButton pending={claim.isPending} pendingText="Checking…">
        Become administrator
      </SubmitButton>
    </form>
  );
}
