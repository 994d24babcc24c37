"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { liveSessionEnded, SESSION_ENDED_TEXT } from "@/app/_components/live-status";
import { untrack } from "@/components/apps/format";
import { printableLogText } from "@/server/worker-reports/log-text";

/**
 * A deployment's build log with live tail. The subscription sends the stored text, then chunks;
 * on reconnect the link resends the last event id (an offset) so no text repeats.
 */
export function BuildLog({ deploymentId }: { deploymentId: number }) {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [follow, setFollow] = useState(true);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => setText(""), [deploymentId]);
  const sub = useSubscription(
    trpc.deployments.onBuildLog.subscriptionOptions(
      { deploymentId },
      { onData: (event) => setText((t) => { const { data } = untrack<{ offset: number; chunk: string }>(event); return t.slice(0, data.offset) + data.chunk; }) },
    ),
  );
  useEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text, follow]);
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3 text-xs text-muted">
        <span>
          {sub.status === "pending"
            ? "live"
            : sub.status === "connecting"
              ? "connecting…"
              : sub.status === "error" && liveSessionEnded(sub.error)
                ? SESSION_ENDED_TEXT
                : sub.status === "error"
                  ? "disconnected; retrying"
                  : sub.status}
        </span>
        <label className="flex items-center gap-1"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>
      </div>
      <pre ref={pre} data-testid="build-log" className="max-h-96 overflow-auto whitespace-pre-wrap rounded-md border border-line bg-code p-3 font-mono text-xs">
        {printableLogText(text) || "No build output yet."}
      </pre>
    </div>
  );
}
