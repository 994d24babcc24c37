"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

/**
 * The team the dashboard works in, kept on the session (teams.switch). Switching reloads the apps
 * list: pages of the previous team's apps are not found in the new one.
 */
export function TeamSwitcher() {
  const trpc = useTRPC();
  const teams = useQuery(trpc.teams.list.queryOptions(undefined, { retry: false }));
  const change = useMutation(trpc.teams.switch.mutationOptions({ onSuccess: () => window.location.assign("/apps") }));
  if (!teams.data) return null;
  const current = teams.data.find((t) => t.current);
  return (
    <label className="flex items-center gap-2 text-sm text-muted">
      <span className="sr-only md:not-sr-only">Team</span>
      <select
        aria-label="Current team"
        data-testid="team-switcher"
        className="rounded-md border border-line bg-panel px-2 py-1 text-strong"
        value={current?.id ?? ""}
        disabled={change.isPending}
        onChange={(e) => change.mutate({ teamId: Number(e.target.value) })}
      >
        {teams.data.map((t) => (
          <option key={t.id} value={t.id}>
            {t.personal ? "Personal" : t.name} ({t.role})
          </option>
        ))}
      </select>
      {change.error ? <span role="alert" className="text-bad">{change.error.message}</span> : null}
    </label>
  );
}
