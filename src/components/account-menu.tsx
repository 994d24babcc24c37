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
    <div className="flex items-center gap-4 text-sm">
      {user.role === "admin" && (
        <Link href="/admin/workers" className="text-muted hover:text-white">
          Workers
        </Link>
      )}
      {showMail && (
        <Link href="/dev/mail" className="text-muted hover:text-white" title="Mail caught by the development mail catcher">
          Mail
        </Link>
      )}
      <Link href="/settings/security" className="text-muted hover:text-white" title="Security settings">
        {user.email}
      </Link>
      <form action="/api/auth/sign-out" method="post">
        <button type="submit" className="text-muted hover:text-white">
          Sign out
        </button>
      </form>
    </div>
  );
}
