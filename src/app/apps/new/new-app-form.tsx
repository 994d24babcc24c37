"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { Panel } from "@/components/apps/query-states";
import { BuildSettingsFields, DEFAULT_BUILD, type BuildSettingsValue } from "@/components/apps/build-settings-fields";
import { inputErrorMessage } from "@/components/apps/input-error";
import { DEFAULT_HEALTH_CHECK, HealthCheckFields, healthCheckInputOf, type HealthCheckValue } from "@/components/apps/health-check-fields";
import { RepoPicker } from "./repo-picker";
import { PlanChoices } from "@/components/apps/plan-choices";
import { whileUnchanged } from "@/components/apps/field-error";
import { plural } from "@/lib/plural";
import { useTeamRole } from "@/components/teams/use-team-role";

type EnvError = { line: number; message: string };

export function NewAppForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const defaults = useQuery(trpc.apps.newAppDefaults.queryOptions());
  const { team } = useTeamRole();
  const [name, setName] = useState("");
  const [repoUrl, setRepoUrl] = useState("");
  const [branch, setBranch] = useState("main");
  const [port, setPort] = useState("8080");
  const [build, setBuild] = useState<BuildSettingsValue>(DEFAULT_BUILD);
  const [health, setHealth] = useState<HealthCheckValue>(DEFAULT_HEALTH_CHECK);
  const [envText, setEnvText] = useState("");
  const [deploy, setDeploy] = useState(true);
  const nameCheck = useQuery({ ...trpc.apps.checkName.queryOptions({ name }), enabled: name.length >= 3 });
  const create = useMutation(
    trpc.apps.create.mutationOptions({ onSuccess: (result) => router.push(`/apps/${result.app.id}${result.deployment ? "/deployments" : ""}`) }),
  );
  const input = {
    name: name.trim() || undefined,
    repoUrl,
    branch,
    internalPort: Number(port),
    buildSettings: build,
    healthCheck: healthCheckInputOf(health),
    envText: envText.trim() ? envText : undefined,
    deploy,
  };
  const sent = create.variables;
  // Each error is about what was submitted: it goes once its field holds something else (field-error.ts).
  const envErrors = whileUnchanged(((create.error?.data as { details?: { envErrors?: EnvError[] } } | undefined)?.details?.envErrors ?? []) as EnvError[], sent?.envText, input.envText) ?? [];
  // The repository check (src/server/git/repo-reachability.ts) names the field to fix; its message shows there, once.
  const errorField = (create.error?.data as { details?: { field?: string } } | undefined)?.details?.field;
  const repoError = whileUnchanged(errorField === "repoUrl" ? create.error?.message : undefined, sent?.repoUrl, repoUrl);
  const branchError = whileUnchanged(errorField === "branch" ? create.error?.message : undefined, [sent?.repoUrl, sent?.branch], [repoUrl, branch]);
  const otherError = errorField || envErrors.length ? undefined : whileUnchanged(create.error, sent, input);
  const atLimit = !!defaults.data && defaults.data.plan.maxApps > 0 && defaults.data.appCount >= defaults.data.plan.maxApps;

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(input);
  }

  return (
    <form onSubmit={submit} className="space-y-5" aria-describedby="plan-limit">
      {defaults.data ? (
        <p id="plan-limit" className={`text-sm ${atLimit ? "text-bad" : "text-muted"}`}>
          {defaults.data.plan.name} plan: {defaults.data.appCount} of {defaults.data.plan.maxApps ? plural(defaults.data.plan.maxApps, "app") : "unlimited apps"} used ·{" "}
          {defaults.data.plan.cpu} CPU · {defaults.data.plan.memoryMb} MiB per app · builds get{" "}
          {defaults.data.plan.build.cpu} CPU · {defaults.data.plan.build.memoryMb} MiB · {Math.round(defaults.data.plan.build.timeoutSeconds / 60)} min
          {atLimit ? " — the limit is reached: delete an app, or move to a larger plan (below)." : ""}
        </p>
      ) : null}
      {defaults.data && atLimit ? <PlanChoices plans={defaults.data.plans} current={defaults.data.plan.id} teamName={team?.name ?? null} /> : null}

      <Panel title="Source">
        <div className="space-y-4">
          <RepoPicker onPick={(r) => { setRepoUrl(r.cloneUrl); setBranch(r.branch); }} />
          {defaults.data?.sampleRepoUrl ? (
            <p className="text-sm text-muted">
              New here?{" "}
              <button
                type="button"
                className="text-accent hover:underline"
                onClick={() => {
                  setRepoUrl(defaults.data!.sampleRepoUrl!);
                  setBranch("main");
                }}
              >
                Use the sample app
              </button>{" "}
              — a small Node server the platform created for you on this machine.
            </p>
          ) : null}
          <div className="grid gap-3 sm:grid-cols-3">
            <label className="text-sm sm:col-span-2">
              Repository URL
              <input required value={repoUrl} onChange={(e) => setRepoUrl(e.target.value)} placeholder="https://github.com/you/app.git" className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5" aria-describedby={repoError ? "repo-error repo-help" : "repo-help"} aria-invalid={!!repoError} />
              {repoError ? <span id="repo-error" role="alert" className="mt-1 block text-xs text-bad">{repoError}</span> : null}
              <span id="repo-help" className="mt-1 block text-xs text-muted">
                https:// or ssh (git@host:owner/repo.git){defaults.data?.localReposEnabled ? "; file:// is enabled here" : ""}. No credentials in the URL.
              </span>
            </label>
            <label className="text-sm">
              Branch
              <input required value={branch} onChange={(e) => setBranch(e.target.value)} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5" aria-invalid={!!branchError} aria-describedby={branchError ? "branch-error" : undefined} />
              {branchError ? <span id="branch-error" role="alert" className="mt-1 block text-xs text-bad">{branchError}</span> : null}
            </label>
          </div>
        </div>
      </Panel>

      <Panel title="App">
        <div className="grid gap-3 sm:grid-cols-3">
          <label className="text-sm sm:col-span-2">
            Name
            <div className="mt-1 flex gap-2">
              <input value={name} onChange={(e) => setName(e.target.value.toLowerCase())} placeholder={defaults.data?.suggestedName ?? "leave empty for a generated name"} className="w-full rounded-md border border-line bg-surface px-2 py-1.5" aria-describedby="name-help" />
              <button type="button" onClick={() => void defaults.refetch().then((r) => r.data && setName(r.data.suggestedName))} className="whitespace-nowrap rounded-md border border-line px-2 text-sm hover:bg-panel-2">
                Generate
              </button>
            </div>
            <span id="name-help" className={`mt-1 block text-xs ${nameCheck.data && !nameCheck.data.ok ? "text-bad" : "text-muted"}`}>
              {nameCheck.data && !nameCheck.data.ok ? nameCheck.data.message : "7–32 characters: a–z, 0–9 and hyphens. Also the app's subdomain."}
            </span>
          </label>
          <label className="text-sm">
            Internal port
            <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5" />
          </label>
        </div>
      </Panel>

      <Panel title="Build">
        <div className="space-y-4">
          <BuildSettingsFields value={build} onChange={setBuild} />
          <HealthCheckFields value={health} onChange={setHealth} />
        </div>
      </Panel>

      <Panel title="Environment (optional)">
        <label className="block text-sm">
          Paste a .env file
          <textarea value={envText} onChange={(e) => setEnvText(e.target.value)} rows={5} spellCheck={false} placeholder={"DATABASE_URL=postgres://…\nAPI_KEY=…"} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs" aria-invalid={envErrors.length > 0} />
        </label>
        {envErrors.length ? (
          <ul role="alert" className="mt-2 space-y-1 text-xs text-bad">
            {envErrors.map((e) => <li key={e.line}>Line {e.line}: {e.message}</li>)}
          </ul>
        ) : null}
      </Panel>

      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={deploy} onChange={(e) => setDeploy(e.target.checked)} /> Deploy right away
      </label>
      {otherError ? <p role="alert" className="text-sm text-bad">{inputErrorMessage(otherError)}</p> : null}
      <button type="submit" disabled={create.isPending || atLimit} className="rounded-md bg-accent px-4 py-2 text-sm font-medium text-black disabled:opacity-50">
        {create.isPending ? "Creating…" : deploy ? "Create and deploy" : "Create app"}
      </button>
    </form>
  );
}
