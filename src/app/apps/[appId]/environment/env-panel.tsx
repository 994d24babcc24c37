"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { Empty, ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { ScrollX } from "@/components/scroll-x";
import { markEnvChanged } from "@/components/apps/env-change-store";
import { whileUnchanged } from "@/components/apps/field-error";

export function EnvPanel({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.envVars.list.queryKey({ appId });
  const list = useQuery(trpc.envVars.list.queryOptions({ appId }));
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });
  const set = useMutation(trpc.envVars.set.mutationOptions({ onSuccess: () => { setKey(""); setValue(""); markEnvChanged(appId); void refresh(); } }));
  const reveal = useMutation(trpc.envVars.reveal.mutationOptions({ onSuccess: (r) => setRevealed((m) => ({ ...m, [r.key]: r.value })) }));
  const remove = useMutation(
    trpc.envVars.delete.mutationOptions({
      // Removing a row from the list is safe to show at once; a failure puts it back.
      onMutate: async ({ key: k }) => {
        await queryClient.cancelQueries({ queryKey: listKey });
        const before = queryClient.getQueryData(listKey);
        queryClient.setQueryData(listKey, (rows) => rows?.filter((r) => r.key !== k));
        return { before };
      },
      onSuccess: () => markEnvChanged(appId),
      onError: (_e, _v, ctx) => queryClient.setQueryData(listKey, ctx?.before),
      onSettled: refresh,
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    set.mutate({ appId, key: key.trim(), value });
  }

  return (
    <Panel title="Environment variables">
      {list.isPending ? (
        <Loading what="env vars" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="env vars" />
      ) : list.data.length === 0 ? (
        <Empty>No env vars yet. Add one below or paste a .env file.</Empty>
      ) : (
        <ScrollX label="Env vars">
        <table className="w-full text-left text-sm" data-testid="env-table">
          <thead className="text-muted">
            <tr><th scope="col" className="py-2">Key</th><th scope="col">Value</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {list.data.map((row) => (
              <tr key={row.key} data-env-key={row.key} className="border-t border-line">
                <td className="py-2 font-mono text-xs">{row.key}</td>
                <td className="max-w-md truncate font-mono text-xs">
                  {row.key in revealed ? revealed[row.key] : row.maskedValue}
                </td>
                <td className="space-x-2 text-right">
                  {row.key in revealed ? (
                    <button type="button" onClick={() => setRevealed(({ [row.key]: _, ...rest }) => rest)} className="text-xs text-accent hover:underline">Hide</button>
                  ) : (
                    <button type="button" onClick={() => reveal.mutate({ appId, key: row.key })} className="text-xs text-accent hover:underline">Reveal</button>
                  )}
                  <button type="button" onClick={() => { setKey(row.key); setValue(revealed[row.key] ?? ""); }} className="text-xs text-accent hover:underline">Edit</button>
                  <ConfirmButton
                    label="Delete"
                    title={`Delete ${row.key}?`}
                    description="The variable is removed from the next deploy. The running app keeps its current value until then."
                    confirmLabel="Delete"
                    danger
                    onConfirm={() => remove.mutateAsync({ appId, key: row.key })}
                    className="text-xs text-bad hover:underline"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </ScrollX>
      )}
      <form onSubmit={submit} className="mt-4 grid gap-2 sm:grid-cols-[1fr_2fr_auto]" aria-label="Set an env var">
        <label className="text-sm">
          <span className="sr-only">Key</span>
          <input required value={key} onChange={(e) => setKey(e.target.value.toUpperCase())} placeholder="KEY" className="w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs" />
        </label>
        <label className="text-sm">
          <span className="sr-only">Value</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="value" className="w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs" />
        </label>
        <button type="submit" disabled={set.isPending} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">Save</button>
      </form>
      {whileUnchanged(set.error, [set.variables?.key, set.variables?.value], [key.trim(), value]) ? <p role="alert" className="mt-2 text-sm text-bad">{set.error?.message}</p> : null}
      {reveal.error ?? remove.error ? <p role="alert" className="mt-2 text-sm text-bad">{(reveal.error ?? remove.error)?.message}</p> : null}
    </Panel>
  );
}
