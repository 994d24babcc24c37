import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/require-user";
import { AppHeader } from "./app-header";
import { AppTabs } from "./app-tabs";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children, params }: { children: ReactNode; params: Promise<{ appId: string }> }) {
  const { appId } = await params;
  await requireUser(`/apps/${appId}`);
  if (!/^\d{1,9}$/.test(appId)) notFound();
  return (
    <section className="space-y-6">
      <AppHeader appId={Number(appId)} />
      <AppTabs appId={Number(appId)} />
      <div>{children}</div>
    </section>
  );
}
