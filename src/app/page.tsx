import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/require-user";
import { HomeOverview } from "@/components/home/home-overview";
import { EmailConfirmationBanner } from "./_components/email-confirmation-banner";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function HomePage() {
  await requireUser("/");
  return (
    <section className="space-y-6">
      <EmailConfirmationBanner />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Overview</h1>
          <p className="text-muted">Your apps, their latest deployments and anything that needs attention.</p>
        </div>
        <Link href="/apps/new" className="rounded-md bg-accent px-3 py-2 text-sm font-medium text-black hover:opacity-90">
          New app
        </Link>
      </div>
      <HomeOverview />
      <p className="text-sm text-muted">
        Platform health: <Link href="/status" className="text-accent hover:underline">status board</Link>
      </p>
    </section>
  );
}
