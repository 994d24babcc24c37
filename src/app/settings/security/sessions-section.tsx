"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, needsReauth } from "@/app/(auth)/_ui/error-message";
import { FormError } from "@/app/(auth)/_ui/form-parts";
import { useTRPC } from "@/lib/trpc/client";
import { ReauthForm } from "./reauth-form";
import { ScrollX } from "@/components/scroll-x";

const when = (d: Date) => new Date(d).toLocaleString();

export function SessionsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [needsSudo, setNeedsSudo] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
  const revoke = useMutation(trpc.sessions.revoke.mutationOptions({ onSuccess: () => void refresh(), onError: (err) => setError(errorMessage(err)) }));
  const revokeOthers = useMutation(
    trpc.sessions.revokeOthers.mutationOptions({
      onSuccess(result) {
        setNotice(`Signed out ${result.revoked} other session${result.revoked === 1 ? "" : "s"}.`);
        void refresh();
      },
      onError(err) {
        if (needsReauth(err)) setNeedsSudo(true);
        else setError(errorMessage(err));
      },
    }),
  );
  const others = (sessions.data ?? []).filter((s) => !s.current).length;

  return (
    <section aria-labelledby="sessions-title" className="space-y-4 rounded-lg border border-line bg-panel p-5">
      <div className="flex items-center justify-between gap-4">
        <h2 id="sessions-title" className="text-lg font-semibold">
          Sessions
        </h2>
        <button
          type="button"
          disabled={revokeOthers.isPending || others === 0}
          onClick={() => {
            setError(null);
            setNotice(null);
            revokeOthers.mutate();
          }}
          className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2 disabled:opacity-50"
        >
          {revokeOthers.isPending ? "Signing out…" : "Sign out all other sessions"}
        </button>
      </div>
      <FormError message={error} />
      {notice ? (
        <p role="status" className="text-sm text-ok">
          {notice}
        </p>
      ) : null}
      {needsSudo ? (
        <ReauthForm
          allowCode={Boolean(me.data?.twoFactor)}
          onCancel={() => setNeedsSudo(false)}
          onConfirmed={() => {
            setNeedsSudo(false);
            revokeOthers.mutate();
          }}
        />
      ) : null}
      {sessions.isPending ? (
        <p role="status" className="text-sm text-muted">
          Loading sessions…
        </p>
      ) : (
        <ScrollX label="Sessions">
        <table className="w-full text-left text-sm">
          <thead className="text-muted">
            <tr>
              <th scope="col" className="py-2">Device</th>
              <th scope="col">IP / location</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last active</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {sessions.data?.map((s) => (
              <tr key={s.id} className="border-t border-line" data-testid="session-row" data-current={s.current ? "true" : "false"}>
                <td className="py-2">
                  {[s.browser, s.os].filter(Boolean).join(" on ") || s.device || "Unknown device"}
                  {s.current ? <span className="ml-2 rounded bg-accent/20 px-1.5 text-xs text-accent">This session</span> : null}
                  {s.twoFactor ? <span className="ml-2 text-xs text-ok">2FA</span> : null}
                </td>
                <td>
                  {s.ip || "unknown"}
                  {s.city || s.country ? <span className="text-muted"> · {[s.city, s.country].filter(Boolean).join(", ")}</span> : null}
                </td>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastSeenAt)}</td>
                <td className="text-right">
                  {s.current ? null : (
                    <button
                      type="button"
                      onClick={() => revoke.mutate({ id: s.id })}
                      disabled={revoke.isPending && revoke.variables?.id === s.id}
                      className="text-bad hover:underline disabled:opacity-50"
                      aria-label={`Revoke session from ${s.ip || "unknown address"}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </ScrollX>
      )}
    </section>
  );
}
