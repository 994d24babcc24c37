"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, needsReauth } from "@/app/(auth)/_ui/error-message";
import { Field, FormError, SubmitButton } from "@/app/(auth)/_ui/form-parts";
import { ReauthForm } from "@/app/settings/security/reauth-form";
import { useTRPC } from "@/lib/trpc/client";
import {
  SCOPE_NEEDS,
  TOKEN_SCOPES,
  TOKEN_SCOPE_NAMES,
  type TokenScope,
} from "@/server/api-tokens/scopes";
import { ROLE_PERMISSIONS } from "@/server/teams/roles";

const EXPIRIES: { days: number | null; label: string }[] = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: null, label: "No expiry" },
];

/** Create a token: name, team, scopes (those the role there can use), expiry; sudo mode first when needed. */
export function NewTokenForm({
  onCreated,
}: {
  onCreated: (created: { name: string; token: string }) => void;
}) {
  const trpc = useTRPC();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions());
  const [teamId, setTeamId] = useState<number | null>(null);
  const [scopes, setScopes] = useState<Set<TokenScope>>(new Set(["apps:read"]));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<
    Parameters<typeof create.mutate>[0] | null
  >(null);
  const create = useMutation(
    trpc.apiTokens.create.mutationOptions({
      onSuccess(created) {
        setPending(null);
        onCreated(created);
      },
      onError(err, input) {
        if (needsReauth(err)) setPending(input);
        else setError(errorMessage(err));
      },
    }),
  );
  const team =
    teams.data?.find((t) => t.id === teamId) ??
    teams.data?.find((t) => t.current) ??
    teams.data?.[0];
  const usable = (s: TokenScope) =>
    team ? ROLE_PERMISSIONS[team.role].has(SCOPE_NEEDS[s]) : false;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    if (!team) return setError("Pick the team the token acts in.");
    const form = new FormData(e.currentTarget);
    const expiry = String(form.get("token-expiry") ?? "30");
    create.mutate({
      name: String(form.get("token-name") ?? ""),
      teamId: team.id,
      scopes: [...scopes].filter(usable),
      expiresInDays: expiry === "none" ? null : Number(expiry),
    });
  }

  return (
    <div className="space-y-4">
      <form
        onSubmit={onSubmit}
        aria-label="New API token"
        className="space-y-4 rounded-lg border border-line bg-panel p-5"
      >
        <h2 className="text-lg font-semibold">New token</h2>
        <FormError message={error} />
        <Field
          id="token-name"
          label="Name"
          placeholder="e.g. GitHub Actions deploy"
          required
          maxLength={80}
          hint="What uses it, so you know which to revoke."
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor="token-team" className="block text-sm font-medium">
              Team
            </label>
            <select
              id="token-team"
              value={team?.id ?? ""}
              onChange={(e) => setTeamId(Number(e.target.value))}
              className="w-full rounded-md border border-line bg-surface px-3 py-2 text-sm"
            >
              {(teams.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.role})
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor="token-expiry" className="block text-sm font-medium">
              Expires after
            </label>
            <select
              id="token-expiry"
              name="token-expiry"
              defaultValue="30"
              className="w-full rounded-md border border-line bg-surface px-3 py-2 text-sm"
            >
              {EXPIRIES.map((x) => (
                <option key={x.label} value={x.days ?? "none"}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Scopes</legend>
          {TOKEN_SCOPE_NAMES.map((s) => {
            const allowed = usable(s);
            return (
              <label
                key={s}
                className={`flex items-start gap-2 text-sm ${allowed ? "" : "opacity-60"}`}
              >
                <input
                  type="checkbox"
                  name="token-scope"
                  value={s}
                  disabled={!allowed}
                  checked={allowed && scopes.has(s)}
                  onChange={(e) =>
                    setScopes((prev) => {
                      const next = new Set(prev);
                      if (e.target.checked) next.add(s);
                      else next.delete(s);
                      return next;
                    })
                  }
                  className="mt-1"
                />
                <span>
                  <code>{s}</code> — {TOKEN_SCOPES[s]}
                  {allowed ? null : (
                    <span className="block text-xs text-muted">
                      Your role in {team?.name} ({team?.role}) cannot use this.
                    </span>
                  )}
                </span>
              </label>
            );
          })}
        </fieldset>
        <SubmitButton pending={create.isPending} pendingText="Creating…">
          Create token
        </SubmitButton>
      </form>
      {pending ? (
        // Its own form, after the token form (forms do not nest).
        <ReauthForm
          allowCode={Boolean(me.data?.twoFactor)}
          onCancel={() => setPending(null)}
          onConfirmed={() => {
            const input = pending;
            setPending(null);
            create.mutate(input);
          }}
        />
      ) : null}
    </div>
  );
}
