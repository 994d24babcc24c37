import type { Metadata } from "next";
import { inspectEmailLink } from "@/server/auth/confirm-email-link";
import { getServices } from "@/server/runtime/services";

export const metadata: Metadata = { title: "Confirm email address", robots: { index: false } };
export const dynamic = "force-dynamic";

/** The one refusal for every bad link, so the reason never leaks. */
function Refused() {
  return (
    <div className="mx-auto mt-10 max-w-md space-y-3 rounded-lg border border-line bg-panel p-6" data-testid="confirm-email-refused">
      <h1 className="text-xl font-semibold">This link cannot be used</h1>
      <p className="text-sm">
        The link is invalid, has expired, or a newer one replaced it. Sign in and open Security settings to send a new one.
      </p>
      <a href="/sign-in?next=%2Fsettings%2Fsecurity" className="text-sm text-accent hover:underline">
        Sign in
      </a>
    </div>
  );
}

/**
 * The link in a verification or email-change mail. GET only shows what the link would confirm:
 * mail scanners fetch (and sometimes script) links, so nothing changes until a person presses
 * the button (a POST to /api/auth/confirm-email).
 */
export default async function ConfirmEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const target = typeof token === "string" ? await inspectEmailLink(getServices("web"), { token }) : null;
  if (!target) return <Refused />;
  const change = target.kind === "change";
  return (
    <div className="mx-auto mt-10 max-w-md space-y-5 rounded-lg border border-line bg-panel p-6">
      <h1 className="text-xl font-semibold">{change ? "Confirm your new sign-in email" : "Confirm your email address"}</h1>
      <p className="text-sm">
        {change ? (
          <>
            Your WiseHosting account will sign in with <strong>{target.email}</strong> from now on.
          </>
        ) : (
          <>
            Confirm that <strong>{target.email}</strong> is your address.
          </>
        )}
      </p>
      {target.done ? (
        <p className="text-sm text-ok" role="status">
          This address is already confirmed.
        </p>
      ) : (
        <form method="post" action="/api/auth/confirm-email">
          <input type="hidden" name="token" value={token as string} />
          <button type="submit" className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-surface hover:bg-accent/90">
            {change ? "Use this address" : "Confirm email address"}
          </button>
        </form>
      )}
    </div>
  );
}
