import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/require-user";
import { getConfig } from "@/server/config/config";
import { mailCatcherAllowed } from "@/server/mail/mail-catcher-mode";
import { CaughtMailInbox } from "./caught-mail-inbox";

export const metadata: Metadata = { title: "Mail catcher" };
export const dynamic = "force-dynamic";

export default async function DevMailPage() {
  if (!mailCatcherAllowed(getConfig())) notFound();
  const { user } = await requireUser("/dev/mail");
  return (
    <section className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Mail catcher</h1>
        <p className="text-sm text-muted">Development only: with SMTP_URL unset, every email the platform sends lands here instead of a real inbox.</p>
        <p className="text-sm text-muted" data-testid="mail-scope">
          {user.role === "admin" ? "As an administrator you see every caught message." : `Only mail sent to ${user.email} is shown here.`}
        </p>
      </header>
      <CaughtMailInbox />
    </section>
  );
}
