import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { DeploymentsPanel } from "./deployments-panel";

export const metadata: Metadata = { title: "Deployments" };

export default async function DeploymentsPage({ params }: { params: Promise<{ appId: string }> }) {
  return <DeploymentsPanel appId={await appIdFrom(params)} />;
}
