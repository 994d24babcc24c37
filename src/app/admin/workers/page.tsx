import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/require-user";
import { WorkersTable } from "./workers-table";

export const metadata: Metadata = { title: "Workers" };
export const dynamic = "force-dynamic";

export default async function AdminWorkersPage() {
  await requireAdmin("/admin/workers");
  return (
    <section className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Workers</h1>
        <p className="text-sm text-muted">Every registered worker: reserved capacity, last heartbeat and running apps. Workers silent for 2 minutes go offline and their apps are stopped.</p>
      </header>
      <WorkersTable />
    </section>
  );
}
