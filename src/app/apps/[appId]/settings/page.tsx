import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { AutoDeployPanel } from "./auto-deploy-panel";
import { DangerZone } from "./danger-zone";
import { SpecForm } from "./spec-form";

export const metadata: Metadata = { title: "App settings" };

export default async function AppSettingsPage({ params }: { params: Promise<{ appId: string }> }) {
  const appId = await appIdFrom(params);
  return (
    <div className="space-y-4">
      <SpecForm appId={appId} />
      <AutoDeployPanel appId={appId} />
      <DangerZone appId={appId} />
    </div>
  );
}
