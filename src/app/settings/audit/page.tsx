import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { AuditLog } from "./audit-log";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

export default async function AuditPage() {
  await requireUser("/settings/audit");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <p className="text-sm text-muted">Everything that happened on your account, newest first.</p>
      <AuditLog />
    </div>
  );
}
