import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { RoleLimited } from "@/components/teams/role-limited";
import { GitConnections } from "./git-connections";

export const metadata: Metadata = { title: "Git providers" };
export const dynamic = "force-dynamic";

export default async function GitProvidersPage({ searchParams }: { searchParams: Promise<{ connected?: string; error?: string }> }) {
  await requireUser("/apps/git");
  const { connected, error } = await searchParams;
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Git providers</h1>
        <p className="text-muted">Connect a provider to pick private repositories and branches when creating apps. Public repositories work without one.</p>
      </div>
      {connected ? <p role="status" className="rounded-md border border-ok/40 bg-ok/10 p-3 text-sm text-ok">Connected {connected}.</p> : null}
      {error ? <p role="alert" className="rounded-md border border-bad/40 bg-bad/10 p-3 text-sm text-bad">{error}</p> : null}
      <RoleLimited permission="git:manage">
        <GitConnections />
      </RoleLimited>
    </section>
  );
}
