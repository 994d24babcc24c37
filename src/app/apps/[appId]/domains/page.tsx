import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { DomainsPanel } from "./domains-panel";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage({ params }: { params: Promise<{ appId: string }> }) {
  return <DomainsPanel appId={await appIdFrom(params)} />;
}
