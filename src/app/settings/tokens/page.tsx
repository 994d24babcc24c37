import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/require-user";
import { TokensSection } from "./tokens-section";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

/** Personal API tokens for the public API and the CLI (docs/api.md). */
export default async function TokensPage() {
  await requireUser("/settings/tokens");
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">API tokens</h1>
        <p className="text-sm text-muted">
          A token lets a script, a pipeline or the <code>wh</code> command line act in one team, within the scopes you choose and never beyond your role
          there. Every use is in the team&apos;s audit log.{" "}
          <Link href="/api/docs" className="text-accent hover:underline">
            API reference
          </Link>{" "}
          ·{" "}
          <Link href="/settings/security" className="text-accent hover:underline">
            Security
          </Link>
        </p>
      </div>
      <TokensSection />
    </div>
  );
}
