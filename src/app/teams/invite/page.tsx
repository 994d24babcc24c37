import type { Metadata } from "next";
import Link from "next/link";
import { getCaller } from "@/lib/auth/require-user";
import { AcceptInvitation } from "./accept-invitation";

export const metadata: Metadata = { title: "Team invitation" };
export const dynamic = "force-dynamic";

/**
 * Where the invitation mail links to. A visitor signs in or signs up first and comes back here;
 * nothing changes until the signed-in invitee presses Accept (mail scanners fetch links).
 */
export default async function InvitePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const token = typeof params.token === "string" ? params.token : "";
  const back = `/teams/invite?token=${encodeURIComponent(token)}`;
  const { user } = await getCaller();
  return (
    <div className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-semibold">Team invitation</h1>
      {user ? (
        <AcceptInvitation token={token} />
      ) : (
        <div className="space-y-3 text-sm">
          <p>Sign in with the address the invitation was sent to, or create an account with it, to see and accept the invitation.</p>
          <p className="flex gap-4">
            <Link href={`/sign-in?next=${encodeURIComponent(back)}`} className="text-accent hover:underline">Sign in</Link>
            <Link href={`/sign-up?next=${encodeURIComponent(back)}`} className="text-accent hover:underline">Create an account</Link>
          </p>
        </div>
      )}
    </div>
  );
}
