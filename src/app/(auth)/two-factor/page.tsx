import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { safeReturnPath } from "@/lib/auth/require-user";
import { accountDeps } from "@/server/auth/account-deps";
import { getServices } from "@/server/runtime/services";
import { findPendingChallenge, PENDING_COOKIE } from "@/server/two-factor/pending-challenge";
import { AuthCard } from "../_ui/form-parts";
import { ChallengeForm } from "./challenge-form";

export const metadata: Metadata = { title: "Two-factor authentication" };
export const dynamic = "force-dynamic";

export default async function TwoFactorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeReturnPath(typeof params.next === "string" ? params.next : "/");
  const token = (await cookies()).get(PENDING_COOKIE)?.value ?? null;
  const challenge = await findPendingChallenge(accountDeps(getServices("web")), token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null);
  if (!challenge) {
    return (
      <AuthCard title="Sign-in expired">
        <p className="text-sm">This sign-in step has expired or was already used.</p>
        <Link href={`/sign-in?next=${encodeURIComponent(next)}`} className="text-accent hover:underline">
          Sign in again
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Two-factor authentication">
      <ChallengeForm next={next} />
    </AuthCard>
  );
}
