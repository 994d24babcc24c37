import type { Metadata } from "next";
import { appIdFrom } from "../app-id";
import { DomainsPanel } from "./domains-panel";
import { RoleLimited } from "@/components/teams/role-limited";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage({ params }: { params: Promise<{ appId: string }> }) {
  return (
    <RoleLimited permission="domains:write">
      <DomainsPanel appId={await appIdFrom(params)} />
    </RoleLimited>
  );
}
