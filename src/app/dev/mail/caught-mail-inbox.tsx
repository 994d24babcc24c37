"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Empty, ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { useTRPC } from "@/lib/trpc/client";

function MailView({ id }: { id: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.devMail.get.queryOptions({ id }));
  const [asText, setAsText] = useState(false);
  if (q.isPending) return <Loading what="the message" />;
  if (q.isError) return <ErrorState error={q.error} what="the message" />;
  const m = q.data;
  return (
    <Panel
      title={m.subject || "(no subject)"}
      actions={
        m.html ? (
          <button type="button" className="rounded-md border border-line px-2 py-0.5 text-xs hover:bg-panel-2" onClick={() => setAsText((v) => !v)}>
            {asText ? "Show HTML" : "Show text"}
          </button>
        ) : null
      }
    >
      <p className="mb-2 text-xs text-muted">From {m.fromAddr} to {m.toAddr} · {new Date(m.receivedAt).toLocaleString()}</p>
      {m.html && !asText ? (
        // sandbox without allow-scripts: mail HTML is shown, never run.
        <iframe title={`Message: ${m.subject}`} sandbox="" srcDoc={m.html} className="h-96 w-full rounded border border-line bg-white" />
      ) : (
        <pre data-testid="mail-text" className="whitespace-pre-wrap break-words text-sm">{m.text}</pre>
      )}
    </Panel>
  );
}

export function CaughtMailInbox() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.devMail.list.queryOptions(), refetchInterval: 3_000 });
  const [selected, setSelected] = useState<number | null>(null);
  if (list.isPending) return <Loading what="caught mail" />;
  if (list.isError) return <ErrorState error={list.error} what="caught mail" />;
  if (list.data.length === 0) return <Empty>No mail caught yet. Messages appear here a moment after the platform sends them.</Empty>;
  return (
    <div className="grid gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
      <ul className="divide-y divide-line rounded-lg border border-line bg-panel" aria-label="Caught messages">
        {list.data.map((m) => (
          <li key={m.id}>
            <button
              type="button"
              data-testid="mail-item"
              onClick={() => setSelected(m.id)}
              aria-current={selected === m.id ? "true" : undefined}
              className={`w-full px-3 py-2 text-left hover:bg-panel-2 ${selected === m.id ? "bg-panel-2" : ""}`}
            >
              <div className="truncate text-sm font-medium">{m.subject || "(no subject)"}</div>
              <div className="truncate text-xs text-muted">to {m.toAddr} · {timeAgo(m.receivedAt)}</div>
            </button>
          </li>
        ))}
      </ul>
      <div>{selected ? <MailView id={selected} /> : <p className="text-sm text-muted">Pick a message to read it.</p>}</div>
    </div>
  );
}
