import Link from "next/link";
import { getCaller } from "@/lib/auth/require-user";
import { getConfig } from "@/server/config/config";
import { mailCatcherAllowed } from "@/server/mail/mail-catcher-mode";

/** Signed-in user with admin and development links, Security and Sign out, or a Sign in link. */
export async function AccountMenu() {
  const { user } = await getCaller().catch(() => ({ user: null }));
  if (!user) {
    return (
      <Link href="/sign-in" className="text-sm text-accent hover:underline">
        Sign in
      </Link>
    );
  }
  const showMail = mailCatcherAllowed(getConfig());
  return (
    <div className="flex flex-col gap-2 text-sm md:flex-row md:items-center md:gap-4">
      {user.role === "admin" && (
        <Link href="/admin/workers" className="text-muted hover:text-strong">
          Workers
        </Link>
      )}
      {showMail && (
        <Link href="/dev/mail" className="text-muted hover:text-strong" title="Mail caught by the development mail catcher">
          Mail
        </Link>
      )}
      <Link href="/settings/security" className="break-all text-muted hover:text-strong" title="Security settings">
        {user.email}
      </Link>
      <form action="/api/auth/sign-out" method="post">
        <button type="submit" className="text-left text-muted hover:text-strong">
          Sign out
        </button>
      </form>
    </div>
  );
}
