"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";

type ProviderId = "github" | "gitlab" | "bitbucket" | "codeberg";

/** Repository and branch from a connected provider's API; fills the URL and branch fields. */
export function RepoPicker({ onPick }: { onPick: (repo: { cloneUrl: string; branch: string }) => void }) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.gitProviders.list.queryOptions());
  const connected = (providers.data ?? []).filter((p) => p.connected);
  const [provider, setProvider] = useState<ProviderId | "">("");
  const [repo, setRepo] = useState("");
  const active = (provider || connected[0]?.id || "") as ProviderId | "";
  const repos = useQuery({ ...trpc.gitProviders.repos.queryOptions({ provider: active as ProviderId }), enabled: !!active });
  const branches = useQuery({ ...trpc.gitProviders.branches.queryOptions({ provider: active as ProviderId, repo }), enabled: !!active && !!repo });

  if (providers.isPending) return <p role="status" className="text-sm text-muted">Checking git providers…</p>;
  if (connected.length === 0) {
    return (
      <p className="text-sm text-muted">
        No git provider connected. <Link href="/apps/git" className="text-accent underline">Connect GitHub, GitLab, Bitbucket or Codeberg</Link> to pick
        private repositories, or paste a public URL below.
      </p>
    );
  }
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      <label className="text-sm">
        Provider
        <select value={active} onChange={(e) => { setProvider(e.target.value as ProviderId); setRepo(""); }} className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5">
          {connected.map((p) => (
            <option key={p.id} value={p.id}>{p.label} ({p.username})</option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Repository
        <select
          value={repo}
          onChange={(e) => {
            setRepo(e.target.value);
            const r = repos.data?.find((x) => x.fullName === e.target.value);
            if (r) onPick({ cloneUrl: r.cloneUrl, branch: r.defaultBranch });
          }}
          className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5"
          disabled={!repos.data}
        >
          <option value="">{repos.isPending ? "Loading…" : repos.isError ? "Could not load" : "Choose…"}</option>
          {repos.data?.map((r) => (
            <option key={r.fullName} value={r.fullName}>{r.fullName}{r.private ? " (private)" : ""}</option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        Branch
        <select
          onChange={(e) => {
            const r = repos.data?.find((x) => x.fullName === repo);
            if (r) onPick({ cloneUrl: r.cloneUrl, branch: e.target.value });
          }}
          className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5"
          disabled={!branches.data}
        >
          {branches.data?.map((b) => <option key={b} value={b}>{b}</option>) ?? <option>—</option>}
        </select>
      </label>
      {repos.isError ? <p role="alert" className="text-sm text-bad sm:col-span-3">{repos.error.message}</p> : null}
    </div>
  );
}
