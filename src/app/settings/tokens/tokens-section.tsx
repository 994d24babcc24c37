"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/app/(auth)/_ui/error-message";
import { FormError } from "@/app/(auth)/_ui/form-parts";
import { ScrollX } from "@/components/scroll-x";
import { useTRPC } from "@/lib/trpc/client";
import { NewTokenForm } from "./new-token-form";

const when = (d: Date | string | null) => (d ? new Date(d).toLocaleString() : "—");

/** The caller's tokens: the new one shown once with a copy button, then the list with revoke. */
export function TokensSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.apiTokens.list.queryOptions());
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() });
  const revoke = useMutation(trpc.apiTokens.revoke.mutationOptions({ onSuccess: () => void refresh(), onError: (err) => setError(errorMessage(err)) }));

  return (
    <div className="space-y-6">
      {created ? (
        <section aria-label="New token" className="space-y-2 rounded-lg border border-ok/40 bg-ok/5 p-5">
          <p className="text-sm font-medium">
            Your token “{created.name}”. Copy it now: it is shown only this once, and only its hash is kept.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code data-testid="new-token" className="break-all rounded bg-surface px-2 py-1 text-sm">
              {created.token}
            </code>
            <button
              type="button"
              className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2"
              onClick={() => void navigator.clipboard?.writeText(created.token).then(() => setCopied(true), () => setCopied(false))}
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className="text-sm text-muted hover:text-strong" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
          <p className="text-xs text-muted">
            Use it as <code>Authorization: Bearer …</code> or with <code>wh login</code>.
          </p>
        </section>
      ) : (
        <NewTokenForm
          onCreated={(c) => {
            setCopied(false);
            setCreated(c);
            void refresh();
          }}
        />
      )}
      <section aria-labelledby="tokens-title" className="space-y-3 rounded-lg border border-line bg-panel p-5">
        <h2 id="tokens-title" className="text-lg font-semibold">
          Your tokens
        </h2>
        <FormError message={error} />
        {tokens.isPending ? (
          <p role="status" className="text-sm text-muted">
            Loading tokens…
          </p>
        ) : (tokens.data ?? []).length === 0 ? (
          <p className="text-sm text-muted">No tokens yet.</p>
        ) : (
          <ScrollX label="API tokens">
            <table className="w-full text-left text-sm">
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="py-2 pr-3">Name</th>
                  <th scope="col" className="py-2 pr-3">Team</th>
                  <th scope="col" className="py-2 pr-3">Scopes</th>
                  <th scope="col" className="py-2 pr-3">Last used</th>
                  <th scope="col" className="py-2 pr-3">Expires</th>
                  <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {(tokens.data ?? []).map((t) => {
                  const expired = t.expiresAt !== null && new Date(t.expiresAt).getTime() <= Date.now();
                  return (
                    <tr key={t.id} className="border-t border-line" data-token={t.name}>
                      <td className="py-2 pr-3">
                        <div className="font-medium">{t.name}</div>
                        <code className="text-xs text-muted">{t.prefix}…</code>
                      </td>
                      <td className="py-2 pr-3">{t.team.name}</td>
                      <td className="py-2 pr-3">{t.scopes.join(", ")}</td>
                      <td className="py-2 pr-3">
                        {when(t.lastUsedAt)}
                        {t.lastUsedIp ? <span className="block text-xs text-muted">from {t.lastUsedIp}</span> : null}
                      </td>
                      <td className="py-2 pr-3">{t.expiresAt ? when(t.expiresAt) : "never"}</td>
                      <td className="py-2 text-right">
                        {t.revokedAt ? (
                          <span className="text-muted">revoked {when(t.revokedAt)}</span>
                        ) : expired ? (
                          <span className="text-muted">expired</span>
                        ) : (
                          <button
                            type="button"
                            disabled={revoke.isPending}
                            onClick={() => {
                              setError(null);
                              if (window.confirm(`Revoke “${t.name}”? Anything using it stops working at once.`)) revoke.mutate({ id: t.id });
                            }}
                            className="rounded-md border border-bad/50 px-3 py-1 text-bad hover:bg-bad/10 disabled:opacity-50"
                            aria-label={`Revoke token ${t.name}`}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollX>
        )}
      </section>
    </div>
  );
}
