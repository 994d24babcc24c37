import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { EnvPanel } from "./env-panel";
import { EnvPaste } from "./env-paste";

export const metadata: Metadata = { title: "Environment" };

export default async function EnvironmentPage({ params }: { params: Promise<{ appId: string }> }) {
  const appId = await appIdFrom(params);
  return (
    <div className="space-y-4">
      <p className="text-sm text-muted">Values are encrypted at rest and applied on the next deploy.</p>
      <EnvPanel appId={appId} />
      <EnvPaste appId={appId} />
    </div>
  );
}
