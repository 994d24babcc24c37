import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCaller } from "@/lib/auth/require-user";
import { safeReturnPath } from "@/server/http/return-path";
import { getServices } from "@/server/runtime/services";
import { AuthCard } from "../_ui/form-parts";
import { oidcErrorMessage } from "../_ui/oidc-error-message";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeReturnPath(typeof params.next === "string" ? params.next : "/");
  if ((await getCaller()).user) redirect(next);
  const oidcEnabled = Boolean(getServices("web").config.OIDC_CLIENT_ID);
  const oidcError = typeof params.error === "string" ? oidcErrorMessage(params.error) : null;
  return (
    <AuthCard
      title="Sign in to WiseHosting"
      footer={
        <>
          No account yet?{" "}
          <Link href="/sign-up" className="text-accent hover:underline">
            Create one
          </Link>
        </>
      }
    >
      <SignInForm next={next} initialError={oidcError} />
      {oidcEnabled ? (
        <div className="border-t border-line pt-4">
          <a href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`} className="block rounded-md border border-line px-4 py-2 text-center text-sm hover:bg-panel-2">
            Sign in with Google
          </a>
        </div>
      ) : null}
    </AuthCard>
  );
}
