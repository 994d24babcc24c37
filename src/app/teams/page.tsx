import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { TeamPanel } from "./team-panel";

export const metadata: Metadata = { title: "Team" };
export const dynamic = "force-dynamic";

export default async function TeamPage() {
  await requireUser("/teams");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Team</h1>
      <p className="text-sm text-muted">
        The team you work in owns its apps, domains, webhooks and git connections. What each role may do is listed in docs/teams.md.
      </p>
      <TeamPanel />
    </div>
  );
}
