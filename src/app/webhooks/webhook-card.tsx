"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "@/components/apps/confirm-button";
import { Panel } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { plural } from "@/lib/plural";
import { Pill } from "@/components/jobs/severity-badge";
import { RoleLimited } from "@/components/teams/role-limited";
import { useTRPC } from "@/lib/trpc/client";
import { EventCheckboxes, type CatalogueEvent } from "./event-checkboxes";
import { useWebhookRefresh } from "./use-webhook-refresh";
import { WebhookDeliveries } from "./webhook-deliveries";
import { WebhookSecret } from "./webhook-secret";

export interface WebhookView {
  id: number;
  name: string;
  url: string;
  channel: string;
  events: string[];
  active: boolean;
  disabledReason: string | null;
  totalDeliveries: number;
  failedDeliveries: number;
  lastDeliveryAt: Date | null;
  lastStatus: string | null;
}

const button = "rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2 disabled:opacity-50";

export function WebhookCard({ hook, catalogue }: { hook: WebhookView; catalogue: { events: CatalogueEvent[] } | null }) {
  const trpc = useTRPC();
  const refresh = useWebhookRefresh();
  const [editing, setEditing] = useState(false);
  const [events, setEvents] = useState(hook.events);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: () => { setEditing(false); void refresh(); } }));
  const remove = useMutation(trpc.webhooks.delete.mutationOptions({ onSettled: refresh }));
  const test = useMutation(trpc.webhooks.sendTest.mutationOptions({ onSettled: refresh }));
  const error = update.error ?? remove.error ?? test.error;

  return (
    <div data-testid="webhook-card" data-webhook-url={hook.url}>
      <Panel
        title={hook.name || hook.url}
        actions={
          <div className="flex items-center gap-2">
            <Pill value={hook.active ? "online" : "disabled"} label={hook.active ? "active" : "disabled"} />
            <Pill value="info" label={hook.channel} />
          </div>
        }
      >
        <div className="space-y-3 text-sm">
          <p className="break-all font-mono text-xs text-muted">{hook.url}</p>
          {hook.disabledReason ? <p role="status" className="text-warn">{hook.disabledReason}</p> : null}
          <p className="text-xs text-muted">
            {plural(hook.totalDeliveries, "attempt")} · {hook.failedDeliveries} failed · last {timeAgo(hook.lastDeliveryAt)}
            {hook.lastStatus ? ` (${hook.lastStatus})` : ""}
          </p>
          {editing && catalogue ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                update.mutate({ id: hook.id, events: events as never });
              }}
              className="space-y-2"
            >
              <EventCheckboxes events={catalogue.events} selected={events} onChange={setEvents} idPrefix={`hook-${hook.id}`} />
              {events.length === 0 ? <p role="alert" className="text-xs text-bad">Pick at least one event to send.</p> : null}
              <div className="flex gap-2">
                <button type="submit" disabled={update.isPending || events.length === 0} className="rounded-md bg-accent px-3 py-1 text-sm font-medium text-black disabled:opacity-50">Save events</button>
                <button type="button" onClick={() => { setEditing(false); setEvents(hook.events); }} className={button}>Cancel</button>
              </div>
            </form>
          ) : (
            <p className="flex flex-wrap gap-1" aria-label="Subscribed events">
              {hook.events.map((e) => (
                <span key={e} className="rounded bg-panel-2 px-1.5 py-0.5 font-mono text-xs">{e}</span>
              ))}
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            {/* Deliveries is reading; the rest needs webhooks:write (docs/teams.md). */}
            <button type="button" className={button} onClick={() => setShowDeliveries((v) => !v)} aria-expanded={showDeliveries}>
              {showDeliveries ? "Hide deliveries" : "Deliveries"}
            </button>
            <RoleLimited permission="webhooks:write" quiet className="flex flex-wrap gap-2">
            <button type="button" className={button} disabled={!hook.active || test.isPending} onClick={() => test.mutate({ id: hook.id })}>
              {test.isPending ? "Sending…" : "Send test"}
            </button>
            {!editing ? <button type="button" className={button} onClick={() => setEditing(true)}>Edit events</button> : null}
            <button type="button" className={button} disabled={update.isPending} onClick={() => update.mutate({ id: hook.id, active: !hook.active })}>
              {hook.active ? "Pause" : "Enable"}
            </button>
            <ConfirmButton
              label="Delete"
              title="Delete this webhook?"
              description="Deliveries stop immediately and its delivery history is removed."
              confirmLabel="Delete"
              danger
              onConfirm={() => remove.mutateAsync({ id: hook.id })}
              className="rounded-md border border-bad/60 px-3 py-1 text-sm text-bad hover:bg-bad/10"
            />
            </RoleLimited>
          </div>
          {test.data ? (
            <p role="status" data-testid="test-result" className={test.data.status === "succeeded" ? "text-ok" : "text-bad"}>
              {test.data.status === "succeeded"
                ? `Test delivered: HTTP ${test.data.responseCode} in ${test.data.durationMs} ms.`
                : `Test failed: ${test.data.error ?? `HTTP ${test.data.responseCode}`}`}
            </p>
          ) : null}
          <RoleLimited permission="webhooks:write" quiet>
            <WebhookSecret webhookId={hook.id} />
          </RoleLimited>
          {error ? <p role="alert" className="text-bad">{error.message}</p> : null}
          {showDeliveries ? <WebhookDeliveries webhookId={hook.id} /> : null}
        </div>
      </Panel>
    </div>
  );
}
