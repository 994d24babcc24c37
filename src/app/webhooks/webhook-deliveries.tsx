"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Empty, ErrorState, Loading } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { Pill } from "@/components/jobs/severity-badge";
import { useTeamRole } from "@/components/teams/use-team-role";
import { useTRPC } from "@/lib/trpc/client";
import { useWebhookRefresh } from "./use-webhook-refresh";

/** Every attempt of this endpoint's messages, newest first, with a retry for failed ones. */
export function WebhookDeliveries({ webhookId }: { webhookId: number }) {
  const trpc = useTRPC();
  const refresh = useWebhookRefresh();
  const list = useQuery({ ...trpc.webhooks.deliveries.queryOptions({ id: webhookId, limit: 50 }), refetchInterval: 5_000 });
  const retry = useMutation(trpc.webhooks.retryDelivery.mutationOptions({ onSettled: refresh }));
  const mayRetry = useTeamRole().can("webhooks:write");
  const [open, setOpen] = useState<string | null>(null);

  if (list.isPending) return <Loading what="deliveries" />;
  if (list.isError) return <ErrorState error={list.error} what="deliveries" />;
  if (list.data.length === 0) return <Empty>No deliveries yet. Press Send test to try the endpoint.</Empty>;
  // Only the newest attempt of a failed message can be retried.
  const newestByMessage = new Map<string, bigint>();
  for (const d of list.data) if (!newestByMessage.has(d.messageId)) newestByMessage.set(d.messageId, d.id);

  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs" data-testid="deliveries-table">
        <caption className="sr-only">Delivery attempts</caption>
        <thead className="text-muted">
          <tr>
            <th scope="col" className="py-1">When</th>
            <th scope="col">Event</th>
            <th scope="col">Attempt</th>
            <th scope="col">Status</th>
            <th scope="col">Response</th>
            <th scope="col">Time</th>
            <th scope="col"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {list.data.map((d) => {
            const key = String(d.id);
            const retryable = d.status === "failed" && newestByMessage.get(d.messageId) === d.id && !d.nextRetryAt;
            return (
              <Fragment key={key}>
                <tr className="border-t border-line" data-testid="delivery-row" data-status={d.status}>
                  <td className="py-1">{timeAgo(d.createdAt)}</td>
                  <td className="font-mono">{d.event}</td>
                  <td>#{d.attempt}</td>
                  <td><Pill value={d.status} /></td>
                  <td>{d.responseCode ?? "—"}</td>
                  <td>{d.durationMs} ms</td>
                  <td className="space-x-2 text-right">
                    <button type="button" className="text-accent hover:underline" onClick={() => setOpen(open === key ? null : key)} aria-expanded={open === key}>Details</button>
                    {retryable ? (
                      <button type="button" className="text-accent hover:underline disabled:opacity-50" disabled={retry.isPending || !mayRetry} onClick={() => retry.mutate({ deliveryId: d.id })}>
                        Retry
                      </button>
                    ) : null}
                  </td>
                </tr>
                {open === key ? (
                  <tr>
                    <td colSpan={7} className="space-y-1 bg-panel-2 p-2">
                      <div className="font-mono text-muted">{d.messageId}</div>
                      {d.error ? <div className="text-bad">{d.error}</div> : null}
                      {d.nextRetryAt ? <div className="text-warn">Next attempt {new Date(d.nextRetryAt).toLocaleString()}</div> : null}
                      {d.responseBody ? <pre className="max-h-40 overflow-auto whitespace-pre-wrap break-all">{d.responseBody}</pre> : null}
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {retry.error ? <p role="alert" className="mt-2 text-bad">{retry.error.message}</p> : null}
    </div>
  );
}
