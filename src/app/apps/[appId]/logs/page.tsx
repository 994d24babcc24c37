import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { LogsPanel } from "./logs-panel";

export const metadata: Metadata = { title: "Logs" };

export default async function LogsPage({ params }: { params: Promise<{ appId: string }> }) {
  return <LogsPanel appId={await appIdFrom(params)} />;
}
