"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { whileUnchanged } from "@/components/apps/field-error";
import { useTRPC } from "@/lib/trpc/client";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { Empty, ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { StatusBadge } from "@/components/apps/status-badge";
import { timeAgo } from "@/components/apps/format";
import { ScrollX } from "@/components/scroll-x";

export function DomainsPanel({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.domains.list.queryOptions({ appId }));
  const [hostname, setHostname] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.domains.list.queryKey({ appId }) });
  const create = useMutation(trpc.domains.create.mutationOptions({ onSuccess: () => { setHostname(""); void refresh(); } }));
  const verify = useMutation(trpc.domains.verify.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.domains.delete.mutationOptions({ onSettled: refresh }));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ appId, hostname });
  }

  return (
    <div className="space-y-4">
      <Panel title="Add a custom domain">
        <form onSubmit={submit} className="flex flex-wrap gap-2">
          <label className="flex-1 text-sm">
            <span className="sr-only">Domain name</span>
            <input required value={hostname} onChange={(e) => setHostname(e.target.value)} placeholder="www.example.com" className="w-full rounded-md border border-line bg-surface px-2 py-1.5" aria-describedby="domain-help" />
          </label>
          <button type="submit" disabled={create.isPending} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">Add domain</button>
        </form>
        <p id="domain-help" className="mt-1 text-xs text-muted">One host name per domain, no wildcards. Internationalised names in punycode (xn--…).</p>
        {whileUnchanged(create.error, create.variables?.hostname, hostname) ? <p role="alert" className="mt-2 text-sm text-bad">{create.error?.message}</p> : null}
      </Panel>

      {list.isPending ? (
        <Loading what="domains" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="domains" />
      ) : list.data.length === 0 ? (
        <Empty>No custom domains. The app is reachable at its platform address.</Empty>
      ) : (
        list.data.map((d) => (
          <Panel
            key={d.id}
            title={d.hostname}
            actions={
              <div className="flex items-center gap-2">
                <StatusBadge status={d.status} />
                <button type="button" disabled={verify.isPending} onClick={() => verify.mutate({ domainId: d.id })} className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2 disabled:opacity-50">
                  {verify.isPending && verify.variables?.domainId === d.id ? "Checking DNS…" : "Verify"}
                </button>
                <ConfirmButton
                  label="Remove"
                  title={`Remove ${d.hostname}?`}
                  description="The app stops answering at this domain once the proxy reloads."
                  confirmLabel="Remove"
                  danger
                  onConfirm={() => remove.mutateAsync({ domainId: d.id })}
                  className="rounded-md border border-bad/60 px-3 py-1 text-sm text-bad hover:bg-bad/10"
                />
              </div>
            }
          >
            <div data-domain={d.hostname} className="space-y-3">
              <p className="text-sm text-muted">Create these records at your DNS provider, then press Verify.</p>
              <ScrollX label="DNS records">
              <table className="w-full text-left text-xs">
                <thead className="text-muted"><tr><th scope="col" className="py-1">Type</th><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Why</th></tr></thead>
                <tbody>
                  {d.records.map((r) => (
                    <tr key={`${r.type}-${r.value}`} className="border-t border-line">
                      <td className="py-1 font-mono">{r.type}</td>
                      <td className="font-mono break-all">{r.name}</td>
                      <td className="font-mono break-all" data-record-value={r.type}>{r.value}</td>
                      <td className="text-muted">{r.purpose}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </ScrollX>
              {d.lastCheckedAt ? (
                <p role="status" className={`text-sm ${d.lastError ? "text-bad" : "text-ok"}`} data-testid="domain-check-result">
                  {d.lastError ? `Last check failed ${timeAgo(d.lastCheckedAt)}: ${d.lastError}` : `Verified ${timeAgo(d.verifiedAt)}.`}
                </p>
              ) : null}
            </div>
          </Panel>
        ))
      )}
      {verify.error ?? remove.error ? <p role="alert" className="text-sm text-bad">{(verify.error ?? remove.error)?.message}</p> : null}
    </div>
  );
}
