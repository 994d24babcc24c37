import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { EnvPanel } from "./env-panel";
import { EnvPaste } from "./env-paste";
import { RedeployNotice } from "@/components/apps/redeploy-notice";
import { RoleLimited } from "@/components/teams/role-limited";

export const metadata: Metadata = { title: "Environment" };

export default async function EnvironmentPage({ params }: { params: Promise<{ appId: string }> }) {
  const appId = await appIdFrom(params);
  return (
    <div className="space-y-4">
      <p className="text-sm text-muted">Values are encrypted at rest and reach the app on its next deploy or redeploy (a restart keeps the values it started with).</p>
      <RedeployNotice appId={appId} />
      <RoleLimited permission="env:write">
        <EnvPanel appId={appId} />
        <EnvPaste appId={appId} />
      </RoleLimited>
    </div>
  );
}
