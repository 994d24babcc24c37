import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { safeReturnPath } from "@/server/http/return-path";
import { getServices } from "@/server/runtime/services";
import { pendingChallengeStatus, readPendingToken } from "@/server/two-factor/pending-challenge";
import { AuthCard } from "../_ui/form-parts";
import { ChallengeForm } from "./challenge-form";

export const metadata: Metadata = { title: "Two-factor authentication" };
export const dynamic = "force-dynamic";

export default async function TwoFactorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeReturnPath(typeof params.next === "string" ? params.next : "/");
  const services = getServices("web");
  const { pending } = await pendingChallengeStatus(services, { pendingToken: readPendingToken(services.config, (await headers()).get("cookie")) });
  if (!pending) {
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
