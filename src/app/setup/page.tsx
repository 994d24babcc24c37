import type { Metadata } from "next";
import Link from "next/link";
import { getCaller } from "@/lib/auth/require-user";
import { setupStatus } from "@/server/auth/setup-token";
import { getServices } from "@/server/runtime/services";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up the platform", robots: { index: false } };
export const dynamic = "force-dynamic";

/**
 * The first administrator: a signed-in account enters the one-time setup token that `npm start`
 * prints and the web process logs. Nobody becomes administrator just by signing up first.
 */
export default async function SetupPage() {
  const { needed } = await setupStatus(getServices("web"));
  const { user } = await getCaller();
  return (
    <div className="mx-auto mt-10 max-w-md space-y-5 rounded-lg border border-line bg-panel p-6">
      <h1 className="text-xl font-semibold">Set up WiseHosting</h1>
      {!needed ? (
        <p className="text-sm" role="status" data-testid="setup-complete">
          Setup is complete: this platform has an administrator. Ask an administrator if you need admin access.
        </p>
      ) : !user ? (
        <p className="text-sm">
          The first administrator is the account that enters this installation&apos;s setup token.{" "}
          <Link href="/sign-up?next=%2Fsetup" className="text-accent hover:underline">
            Create an account
          </Link>{" "}
          or{" "}
          <Link href="/sign-in?next=%2Fsetup" className="text-accent hover:underline">
            sign in
          </Link>
          , then come back here.
        </p>
      ) : user.role === "admin" ? (
        <p className="text-sm" role="status">
          You are already an administrator.
        </p>
      ) : (
        <>
          <p className="text-sm">
            Signed in as {user.email}. Enter the setup token to make this account the platform administrator. It was printed by{" "}
            <code>npm start</code> and written to the web process&apos;s log when it started; it works once.
          </p>
          <SetupForm />
        </>
      )}
    </div>
  );
}
