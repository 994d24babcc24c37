"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";

/** A new team with you as its owner; the dashboard switches to it. */
export function CreateTeamForm() {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const create = useMutation(trpc.teams.create.mutationOptions({ onSuccess: () => window.location.assign("/teams") }));
  return (
    <section aria-labelledby="create-team-heading" className="space-y-3">
      <h2 id="create-team-heading" className="text-lg font-medium">Create a team</h2>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name });
        }}
      >
        <label className="flex flex-col gap-1 text-sm">
          Team name
          <input required value={name} onChange={(e) => setName(e.target.value)} className="rounded-md border border-line bg-panel px-2 py-1" />
        </label>
        <button type="submit" disabled={create.isPending} className="rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2 disabled:opacity-50">
          Create team
        </button>
      </form>
      {create.error ? <p role="alert" className="text-sm text-bad">{create.error.message}</p> : null}
    </section>
  );
}
