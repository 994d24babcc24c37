"use client";

import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useDeferredValue, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { liveSessionEnded, SESSION_ENDED_TEXT } from "@/app/_components/live-status";
import { untrack } from "@/components/apps/format";
import { plural } from "@/lib/plural";
import { printableLogLine } from "@/server/worker-reports/log-text";
import { markAt } from "@/server/apps/log-run-at";

interface Line {
  id: string;
  ts: number;
  stream: "stdout" | "stderr";
  line: string;
}

const MAX_LINES = 5_000;

/**
 * Runtime logs: the persisted tail, then live lines. Search and the stream filter run on the
 * server (replay included); pausing holds new lines back until resume, so none are lost. Each
 * line is marked with the deploy or restart that was serving when it was written
 * (src/server/apps/log-runs.ts); Download fetches every stored line from the server, not the
 * lines this page holds or filters (src/app/api/apps/[appId]/logs/route.ts).
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
  const app = useQuery(trpc.apps.get.queryOptions({ appId }));
  const runs = useQuery(trpc.apps.logRuns.queryOptions({ appId }));
  const { refetch: refetchRuns } = runs;
  // A deploy or restart that finishes starts a new run: read the runs again when the app changes.
  const appVersion = `${app.data?.status}:${app.data?.currentDeployment?.id ?? ""}:${app.data?.activeJob?.id ?? ""}`;
  useEffect(() => {
    void refetchRuns();
  }, [appVersion, refetchRuns]);
  const runList = runs.data ?? [];

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
        <a
          href={`/api/apps/${appId}/logs`}
          download
          data-testid="logs-download"
          title="Every stored line of this app, all streams, whatever the search shows"
          className="rounded-md border border-line px-3 py-2 text-sm hover:bg-panel-2"
        >
          Download all
        </a>
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
        · {plural(lines.length, "line")}
      </p>
      <div ref={box} data-testid="runtime-logs" className="h-[28rem] overflow-auto rounded-md border border-line bg-code p-3 font-mono text-xs">
        {lines.length === 0 ? (
          <p className="text-muted">{search || stream ? "No lines match." : "No output yet. Lines appear here as the app writes them."}</p>
        ) : (
          lines.map((l) => {
            const run = markAt(runList, l.ts);
            return (
            <div key={l.id} data-run={run?.label ?? ""} className={l.stream === "stderr" ? "text-bad" : undefined}>
              <span className="text-muted">{new Date(l.ts).toLocaleTimeString()} </span>
              <span className="text-muted" title={run ? `From ${run.label}` : "Written before the first recorded deploy"} data-testid="log-run">
                [{run ? run.short : "—"}]{" "}
              </span>
              {/* Lines stored before sanitising existed may still hold CR or bidi controls. */}
              {printableLogLine(l.line)}
            </div>
            );
          })
        )}
      </div>
    </div>
  );
}

