import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { AlertRulesEditor } from "./alert-rules-editor";
import { UsageCharts } from "./usage-charts";
import { RoleLimited } from "@/components/teams/role-limited";

export const metadata: Metadata = { title: "Monitoring" };

export default async function MonitoringPage({ params }: { params: Promise<{ appId: string }> }) {
  const appId = await appIdFrom(params);
  return (
    <div className="space-y-6">
      <UsageCharts appId={appId} />
      <RoleLimited permission="alerts:write">
        <AlertRulesEditor appId={appId} />
      </RoleLimited>
    </div>
  );
}
