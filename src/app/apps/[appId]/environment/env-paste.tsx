"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { Panel } from "@/components/apps/query-states";
import { markEnvChanged } from "@/components/apps/env-change-store";

/** Bulk .env import: all-or-nothing; bad lines are listed and the text stays for fixing. */
export function EnvPaste({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const importEnv = useMutation(
    trpc.envVars.importDotenv.mutationOptions({
      onSuccess: (result) => {
        if (result.ok) {
          setText("");
          markEnvChanged(appId);
          void queryClient.invalidateQueries({ queryKey: trpc.envVars.list.queryKey({ appId }) });
        }
      },
    }),
  );
  const result = importEnv.data;
  return (
    <Panel title="Paste a .env file">
      <label className="block text-sm">
        <span className="sr-only">.env text</span>
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={6}
          spellCheck={false}
          placeholder={"# KEY=value per line; quotes and 'export' are understood\nDATABASE_URL=postgres://…"}
          className="w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-xs"
          aria-invalid={result?.ok === false}
          aria-describedby="paste-result"
        />
      </label>
      <div className="mt-2 flex items-center gap-3">
        <button type="button" disabled={!text.trim() || importEnv.isPending} onClick={() => importEnv.mutate({ appId, text })} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">
          {importEnv.isPending ? "Importing…" : "Import"}
        </button>
        <div id="paste-result" className="text-sm">
          {result?.ok ? <span role="status" className="text-ok">Imported {result.keys.length} variable{result.keys.length === 1 ? "" : "s"}: {result.keys.join(", ")}</span> : null}
          {importEnv.error ? <span role="alert" className="text-bad">{importEnv.error.message}</span> : null}
        </div>
      </div>
      {result && !result.ok ? (
        <ul role="alert" data-testid="paste-errors" className="mt-2 space-y-1 text-xs text-bad">
          <li>Nothing was imported. Fix these lines and import again:</li>
          {result.errors.map((e) => (
            <li key={e.line}>Line {e.line}: {e.message} <code className="text-muted">{e.text}</code></li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}
