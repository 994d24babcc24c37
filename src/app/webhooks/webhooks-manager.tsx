"use client";

import { useQuery } from "@tanstack/react-query";
import { Empty, ErrorState, Loading } from "@/components/apps/query-states";
import { timeAgo } from "@/components/apps/format";
import { RoleLimited } from "@/components/teams/role-limited";
import { useTRPC } from "@/lib/trpc/client";
import { WebhookCard } from "./webhook-card";
import { WebhookCreateForm } from "./webhook-create-form";

function Stat({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="rounded-lg border border-line bg-panel px-4 py-3" data-testid={testId}>
      <div className="text-xl font-semibold">{value}</div>
      <div className="text-xs text-muted">{label}</div>
    </div>
  );
}

export function WebhooksManager() {
  const trpc = useTRPC();
  const list = useQuery(trpc.webhooks.list.queryOptions());
  const stats = useQuery({ ...trpc.webhooks.stats.queryOptions(), refetchInterval: 15_000 });
  const catalogue = useQuery(trpc.webhooks.catalogue.queryOptions());

  return (
    <div className="space-y-6">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Webhooks" value={stats.data?.total ?? 0} testId="stat-total" />
        <Stat label="Active" value={stats.data?.active ?? 0} testId="stat-active" />
        <Stat label="Failed deliveries (7 days)" value={stats.data?.failed7d ?? 0} testId="stat-failed" />
        <Stat label="Last delivery" value={stats.data?.lastDeliveryAt ? timeAgo(stats.data.lastDeliveryAt) : "never"} testId="stat-last" />
      </div>
      {catalogue.data ? (
        <RoleLimited permission="webhooks:write" quiet>
          <WebhookCreateForm catalogue={catalogue.data} />
        </RoleLimited>
      ) : catalogue.isError ? <ErrorState error={catalogue.error} what="the event list" /> : null}
      {list.isPending ? (
        <Loading what="webhooks" />
      ) : list.isError ? (
        <ErrorState error={list.error} what="webhooks" />
      ) : list.data.length === 0 ? (
        <Empty>No webhooks yet. Add one above to get events where you work.</Empty>
      ) : (
        <div className="space-y-4">
          {list.data.map((hook) => (
            <WebhookCard key={hook.id} hook={hook} catalogue={catalogue.data ?? null} />
          ))}
        </div>
      )}
    </div>
  );
}
