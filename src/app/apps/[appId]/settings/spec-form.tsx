"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { BuildSettingsFields, DEFAULT_BUILD, type BuildSettingsValue } from "@/components/apps/build-settings-fields";
import { inputErrorMessage } from "@/components/apps/input-error";
import { whileUnchanged } from "@/components/apps/field-error";
import { DEFAULT_HEALTH_CHECK, HealthCheckFields, healthCheckInputOf, type HealthCheckValue } from "@/components/apps/health-check-fields";
import { ErrorState, Loading, Panel } from "@/components/apps/query-states";

export function SpecForm({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const app = useQuery(trpc.apps.get.queryOptions({ appId }));
  const [repoUrl, setRepoUrl] = useState("");
  const [branch, setBranch] = useState("");
  const [port, setPort] = useState("");
  const [build, setBuild] = useState<BuildSettingsValue>(DEFAULT_BUILD);
  const [health, setHealth] = useState<HealthCheckValue>(DEFAULT_HEALTH_CHECK);
  const update = useMutation(trpc.apps.updateSpec.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ appId }) }) }));
  useEffect(() => {
    if (!app.data) return;
    setRepoUrl(app.data.repoUrl);
    setBranch(app.data.branch);
    setPort(String(app.data.internalPort));
    setBuild({ ...DEFAULT_BUILD, ...(app.data.buildSettings as Partial<BuildSettingsValue>) });
    setHealth({ path: app.data.runtime.healthCheck.path, timeoutSeconds: String(app.data.runtime.healthCheck.timeoutSeconds) });
  }, [app.data]);
  if (app.isPending) return <Loading what="settings" />;
  if (app.isError) return <ErrorState error={app.error} what="settings" />;

  const spec = { repoUrl, branch, internalPort: Number(port), buildSettings: build, healthCheck: healthCheckInputOf(health) };
  // The error is about the settings that were submitted; editing them hides it (src/components/apps/field-error.ts).
  const error = whileUnchanged(update.error, update.variables?.spec, spec);

  function submit(e: FormEvent) {
    e.preventDefault();
    update.mutate({ appId, spec });
  }

  return (
    <Panel title="Source and build">
      <form onSubmit={submit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-4">
          <label className="text-sm sm:col-span-2">
            Repository URL
            <input required value={repoUrl} onChange={(e) => setRepoUrl(e.target.value)} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5" />
          </label>
          <label className="text-sm">
            Branch
            <input required value={branch} onChange={(e) => setBranch(e.target.value)} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5" />
          </label>
          <label className="text-sm">
            Internal port
            <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5" />
          </label>
        </div>
        <BuildSettingsFields value={build} onChange={setBuild} />
        <HealthCheckFields value={health} onChange={setHealth} />
        <div className="flex items-center gap-3">
          <button type="submit" disabled={update.isPending} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">Save</button>
          {update.isSuccess ? <span role="status" className="text-sm text-ok">Saved. Applies on the next deploy.</span> : null}
          {error ? <span role="alert" className="text-sm text-bad">{inputErrorMessage(error)}</span> : null}
        </div>
      </form>
    </Panel>
  );
}
