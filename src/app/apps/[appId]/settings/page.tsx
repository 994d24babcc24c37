import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { AutoDeployPanel } from "./auto-deploy-panel";
import { DangerZone } from "./danger-zone";
import { SpecForm } from "./spec-form";
import { RoleLimited } from "@/components/teams/role-limited";

export const metadata: Metadata = { title: "App settings" };

export default async function AppSettingsPage({ params }: { params: Promise<{ appId: string }> }) {
  const appId = await appIdFrom(params);
  return (
    <RoleLimited permission="apps:manage">
      <SpecForm appId={appId} />
      <AutoDeployPanel appId={appId} />
      <DangerZone appId={appId} />
    </RoleLimited>
  );
}
