import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/require-user";
import { AppsList } from "./apps-list";

export const metadata: Metadata = { title: "Apps" };
export const dynamic = "force-dynamic";

export default async function AppsPage({ searchParams }: { searchParams: Promise<{ status?: string; q?: string }> }) {
  await requireUser("/apps");
  const { status, q } = await searchParams;
  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Apps</h1>
          <p className="text-muted">Everything you deploy from git.</p>
        </div>
        <div className="flex gap-2">
          <Link href="/apps/git" className="rounded-md border border-line px-3 py-2 text-sm hover:bg-panel-2">Git providers</Link>
          <Link href="/apps/new" className="rounded-md bg-accent px-3 py-2 text-sm font-medium text-black hover:opacity-90">New app</Link>
        </div>
      </div>
      <AppsList initialStatus={status ?? ""} initialSearch={q ?? ""} />
    </section>
  );
}
