import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/require-user";
import { EmailConfirmationBanner } from "@/app/_components/email-confirmation-banner";
import { AccountSection } from "./account-section";
import { SessionsSection } from "./sessions-section";
import { TwoFactorSection } from "./two-factor-section";

export const metadata: Metadata = { title: "Security" };
export const dynamic = "force-dynamic";

const LINK_NOTICES: Record<string, string> = {
  google: "Google sign-in is now linked to your account.",
  reauth: "Confirm it is you first, then link Google again.",
};

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user } = await requireUser("/settings/security");
  const params = await searchParams;
  const linkKey = typeof params.linked === "string" ? params.linked : typeof params.link === "string" ? params.link : "";
  const linkNotice = LINK_NOTICES[linkKey] ?? null;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Security</h1>
        <p className="text-sm text-muted">
          Signed in as {user.email}.{" "}
          <Link href="/settings/audit" className="text-accent hover:underline">
            View the audit log
          </Link>{" "}
          ·{" "}
          <Link href="/settings/tokens" className="text-accent hover:underline">
            API tokens
          </Link>
        </p>
      </div>
      <EmailConfirmationBanner />
      <AccountSection linkNotice={linkNotice} />
      <TwoFactorSection />
      <SessionsSection />
    </div>
  );
}
