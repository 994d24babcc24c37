"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import { useDeferredValue, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { liveSessionEnded, SESSION_ENDED_TEXT } from "@/app/_components/live-status";
import { untrack } from "@/components/apps/format";
import { printableLogLine } from "@/server/worker-reports/log-text";

interface Line {
  id: string;
  ts: number;
  stream: "stdout" | "stderr";
  line: string;
}

const MAX_LINES = 5_000;

/**
 * Runtime logs: the persisted tail, then live lines. Search and the stream filter run on the
 * server (replay included); pausing holds new lines back until resume, so none are lost.
 */
export function LogsPanel({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [stream, setStream] = useState<"" | "stdout" | "stderr">("");
  const [paused, setPaused] = useState(false);
  const [lines, setLines] = useState<Line[]>([]);
  const held = useRef<Line[]>([]);
  const pausedRef = useRef(paused);
  const box = useRef<HTMLDivElement>(null);
  const deferredSearch = useDeferredValue(search);
  const filter = { ...(stream ? { stream } : {}), ...(deferredSearch ? { search: deferredSearch } : {}) };

  useEffect(() => {
    setLines([]);
    held.current = [];
  }, [deferredSearch, stream]);
  useEffect(() => {
    pausedRef.current = paused;
    if (!paused && held.current.length) {
      const flushed = held.current;
      held.current = [];
      setLines((ls) => [...ls, ...flushed].slice(-MAX_LINES));
    }
  }, [paused]);

  const sub = useSubscription(
    trpc.apps.onRuntimeLogs.subscriptionOptions(
      { appId, filter },
      {
        onData: (event) => {
          const line = untrack<Line>(event).data;
          if (pausedRef.current) held.current.push(line);
          else setLines((ls) => (ls.length >= MAX_LINES ? [...ls.slice(1 - MAX_LINES), line] : [...ls, line]));
        },
      },
    ),
  );

  useEffect(() => {
    if (!paused && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, paused]);

  function download() {
    const text = lines.map((l) => `${new Date(l.ts).toISOString()} ${l.stream} ${l.line}`).join("\n");
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `app-${appId}-logs.txt`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex-1 text-sm">
          <span className="sr-only">Search logs</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search logs" className="w-full rounded-md border border-line bg-panel px-3 py-2" />
        </label>
        <label className="text-sm">
          <span className="sr-only">Stream</span>
          <select value={stream} onChange={(e) => setStream(e.target.value as typeof stream)} className="rounded-md border border-line bg-panel px-3 py-2">
            <option value="">stdout + stderr</option>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
          </select>
        </label>
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused} className="rounded-md border border-line px-3 py-2 text-sm hover:bg-panel-2">
          {paused ? `Resume${held.current.length ? ` (${held.current.length} new)` : ""}` : "Pause"}
        </button>
        <button type="button" onClick={download} disabled={lines.length === 0} className="rounded-md border border-line px-3 py-2 text-sm hover:bg-panel-2 disabled:opacity-50">
          Download
        </button>
      </div>
      <p className="text-xs text-muted" role="status">
        {sub.status === "error" && liveSessionEnded(sub.error)
          ? `Live view ${SESSION_ENDED_TEXT}`
          : sub.status === "error"
            ? "Disconnected; reconnecting without repeating lines…"
            : sub.status === "connecting"
              ? "Connecting…"
              : paused
                ? "Paused"
                : "Live"}{" "}
        · {lines.length} lines
      </p>
      <div ref={box} data-testid="runtime-logs" className="h-[28rem] overflow-auto rounded-md border border-line bg-code p-3 font-mono text-xs">
        {lines.length === 0 ? (
          <p className="text-muted">{search || stream ? "No lines match." : "No output yet. Lines appear here as the app writes them."}</p>
        ) : (
          lines.map((l) => (
            <div key={l.id} className={l.stream === "stderr" ? "text-bad" : undefined}>
              <span className="text-muted">{new Date(l.ts).toLocaleTimeString()} </span>
              {/* Lines stored before sanitising existed may still hold CR or bidi controls. */}
              {printableLogLine(l.line)}
            </div>
          ))
        )}
      </div>
    </div>
  );
}
