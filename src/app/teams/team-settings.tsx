"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { useTeamRole } from "@/components/teams/use-team-role";
import { useTRPC } from "@/lib/trpc/client";

const reloadTo = (path: string) => () => window.location.assign(path);

/** Rename (owners, admins), transfer ownership and delete (owners), leave (anyone but the last owner). */
export function TeamSettings() {
  const trpc = useTRPC();
  const { team, can, reason } = useTeamRole();
  const members = useQuery(trpc.teams.members.queryOptions());
  const [name, setName] = useState("");
  const [heir, setHeir] = useState<number | "">("");
  const rename = useMutation(trpc.teams.rename.mutationOptions({ onSuccess: reloadTo("/teams") }));
  const transfer = useMutation(trpc.teams.transferOwnership.mutationOptions({ onSuccess: reloadTo("/teams") }));
  const leave = useMutation(trpc.teams.leave.mutationOptions({ onSuccess: reloadTo("/apps") }));
  const remove = useMutation(trpc.teams.delete.mutationOptions({ onSuccess: reloadTo("/apps") }));
  if (!team || team.personal) return null;
  const others = (members.data ?? []).filter((m) => !m.you);
  const error = rename.error ?? transfer.error ?? leave.error ?? remove.error;
  return (
    <section aria-labelledby="settings-heading" className="space-y-4">
      <h2 id="settings-heading" className="text-lg font-medium">Team settings</h2>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate({ name });
        }}
      >
        <label className="flex flex-col gap-1 text-sm">
          New name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder={team.name} disabled={!can("team:settings")} title={reason("team:settings")} className="rounded-md border border-line bg-panel px-2 py-1 disabled:opacity-60" />
        </label>
        <button type="submit" disabled={!can("team:settings") || name.trim().length < 2} title={reason("team:settings")} className="rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2 disabled:opacity-50">
          Rename
        </button>
      </form>
      {can("team:owner") ? (
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (heir !== "") transfer.mutate({ userId: heir });
          }}
        >
          <label className="flex flex-col gap-1 text-sm">
            Transfer ownership to
            <select value={heir} onChange={(e) => setHeir(e.target.value ? Number(e.target.value) : "")} className="rounded-md border border-line bg-panel px-2 py-1">
              <option value="">Choose a member</option>
              {others.map((m) => (
                <option key={m.userId} value={m.userId}>{m.name || m.email} ({m.role})</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={heir === ""} className="rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2 disabled:opacity-50">
            Transfer
          </button>
        </form>
      ) : null}
      <div className="flex flex-wrap gap-3">
        <ConfirmButton label="Leave team" title={`Leave ${team.name}?`} description="You lose access to the team's apps. An owner can invite you again." confirmLabel="Leave" danger onConfirm={() => leave.mutateAsync()} />
        {can("team:owner") ? (
          <ConfirmButton
            label="Delete team"
            title={`Delete ${team.name}?`}
            description="Every app of the team is deleted (its worker removes it), and all members lose access."
            confirmLabel="Delete team and its apps"
            typeToConfirm={team.name}
            danger
            onConfirm={() => remove.mutateAsync({ confirmName: team.name })}
          />
        ) : (
          <span className="self-center text-sm text-muted">Only an owner can delete the team.</span>
        )}
      </div>
      {error ? <p role="alert" className="text-sm text-bad">{error.message}</p> : null}
    </section>
  );
}
