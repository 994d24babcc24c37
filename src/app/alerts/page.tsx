import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { RoleReason } from "@/components/teams/role-limited";
import { AlertsInbox } from "./alerts-inbox";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

export default async function AlertsPage() {
  await requireUser("/alerts");
  return (
    <section className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Alerts</h1>
        <p className="text-sm text-muted">Threshold breaches, failed deployments and crash loops across your apps. Thresholds are set per app on its Monitoring tab.</p>
      </header>
      <RoleReason permission="alerts:write" />
      <AlertsInbox />
    </section>
  );
}
