import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { TeamAuditLog } from "./team-audit-log";

export const metadata: Metadata = { title: "Team audit log" };
export const dynamic = "force-dynamic";

export default async function TeamAuditPage() {
  await requireUser("/teams/audit");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Team audit log</h1>
      <p className="text-sm text-muted">Who did what in the current team, newest first. Your own sign-ins and security events are in Security → Audit log.</p>
      <TeamAuditLog />
    </div>
  );
}
