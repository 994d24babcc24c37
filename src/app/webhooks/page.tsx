import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { RoleReason } from "@/components/teams/role-limited";
import { WebhooksManager } from "./webhooks-manager";

export const metadata: Metadata = { title: "Webhooks" };
export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  await requireUser("/webhooks");
  return (
    <section className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Webhooks</h1>
        <p className="text-sm text-muted">
          Send deployment, app and account events to your own endpoint (signed JSON per Standard Webhooks) or to Discord, Slack and ntfy as short chat messages.
        </p>
      </header>
      <RoleReason permission="webhooks:write" />
      <WebhooksManager />
    </section>
  );
}
