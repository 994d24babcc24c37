import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { AlertRulesEditor } from "./alert-rules-editor";
import { UsageCharts } from "./usage-charts";

export const metadata: Metadata = { title: "Monitoring" };

export default async function MonitoringPage({ params }: { params: Promise<{ appId: string }> }) {
  const appId = await appIdFrom(params);
  return (
    <div className="space-y-6">
      <UsageCharts appId={appId} />
      <AlertRulesEditor appId={appId} />
    </div>
  );
}
