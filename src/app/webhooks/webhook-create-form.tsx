"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { whileUnchanged } from "@/components/apps/field-error";
import { Panel } from "@/components/apps/query-states";
import { useTRPC } from "@/lib/trpc/client";
import { EventCheckboxes, type CatalogueEvent } from "./event-checkboxes";
import { useWebhookRefresh } from "./use-webhook-refresh";

type Channel = "standard" | "discord" | "slack" | "ntfy";
const DEFAULT_EVENTS = ["deployment.succeeded", "deployment.failed", "app.stopped", "app.crashed"];

export function WebhookCreateForm({ catalogue }: { catalogue: { events: CatalogueEvent[]; channels: { id: string; label: string }[] } }) {
  const trpc = useTRPC();
  const refresh = useWebhookRefresh();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [channel, setChannel] = useState<"" | Channel>("");
  const [events, setEvents] = useState<string[]>(DEFAULT_EVENTS);
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: () => {
        setName("");
        setUrl("");
        setChannel("");
        setEvents(DEFAULT_EVENTS);
        void refresh();
      },
    }),
  );
  const fieldErrors = (create.error?.data as { zodError?: { fieldErrors?: Record<string, string[]> } } | undefined)?.zodError?.fieldErrors ?? {};
  const details = (create.error?.data as { details?: { field?: string } } | undefined)?.details;
  // An error about the URL goes once the URL is edited (src/components/apps/field-error.ts).
  const urlError = whileUnchanged(fieldErrors.url?.[0] ?? (details?.field === "url" ? create.error?.message : undefined), create.variables?.url, url);
  const eventsError = fieldErrors.events?.[0] ?? (events.length === 0 ? "Pick at least one event to send." : undefined);
  const otherError = create.error && !fieldErrors.url && details?.field !== "url" && !fieldErrors.events ? create.error.message : undefined;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (events.length === 0) return;
    create.mutate({ name, url, channel: channel || undefined, events: events as never });
  }

  return (
    <Panel title="Add a webhook">
      <form onSubmit={submit} className="space-y-3" noValidate>
        <div className="grid gap-3 sm:grid-cols-3">
          <label className="flex flex-col gap-1 text-sm sm:col-span-2">
            <span>Endpoint URL</span>
            <input
              name="url"
              required
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://example.com/hooks/wisehosting"
              aria-invalid={urlError ? true : undefined}
              aria-describedby="webhook-url-help webhook-url-error"
              className="rounded-md border border-line bg-surface px-2 py-1.5"
            />
            <span id="webhook-url-help" className="text-xs text-muted">Public http(s) addresses only. Discord, Slack and ntfy.sh URLs are recognised.</span>
            {urlError ? (
              <span id="webhook-url-error" role="alert" className="text-xs text-bad">{urlError}</span>
            ) : null}
          </label>
          <label className="flex flex-col gap-1 text-sm">
            <span>Name (optional)</span>
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Team chat" className="rounded-md border border-line bg-surface px-2 py-1.5" />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            <span>Format</span>
            <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel | "")} className="rounded-md border border-line bg-surface px-2 py-1.5">
              <option value="">Detect from URL</option>
              {catalogue.channels.map((c) => (
                <option key={c.id} value={c.id}>{c.label}</option>
              ))}
            </select>
          </label>
        </div>
        <EventCheckboxes events={catalogue.events} selected={events} onChange={setEvents} idPrefix="new" />
        {eventsError ? <p role="alert" className="text-xs text-bad">{eventsError}</p> : null}
        {otherError ? <p role="alert" className="text-sm text-bad">{otherError}</p> : null}
        <button type="submit" disabled={create.isPending} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">
          {create.isPending ? "Checking the URL…" : "Add webhook"}
        </button>
      </form>
    </Panel>
  );
}
