import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/require-user";
import { NewAppForm } from "./new-app-form";

export const metadata: Metadata = { title: "New app" };
export const dynamic = "force-dynamic";

export default async function NewAppPage() {
  await requireUser("/apps/new");
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">New app</h1>
        <p className="text-muted">Pick a repository from a connected git provider or paste any clone URL.</p>
      </div>
      <NewAppForm />
    </section>
  );
}
