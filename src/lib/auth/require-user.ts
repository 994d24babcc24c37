import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { resolveCaller, type ResolvedCaller } from "@/server/auth/resolve-caller";
import { getServices } from "@/server/runtime/services";
import type { CallerSession, CallerUser } from "@/server/auth/actor";
import { safeReturnPath } from "@/server/http/return-path";

/** The signed-in caller for a server component or route, or nobody. Checks the session row. */
export async function getCaller(): Promise<ResolvedCaller> {
  const h = await headers();
  return resolveCaller(getServices("web"), { cookieHeader: h.get("cookie") });
}

/**
 * For dashboard pages: the signed-in user, or a redirect to /sign-in that comes back to
 * `returnTo` afterwards. Call it first thing in every page that needs an account.
 */
export async function requireUser(returnTo = "/"): Promise<{ user: CallerUser; session: CallerSession }> {
  const caller = await getCaller();
  if (!caller.user || !caller.session) redirect(`/sign-in?next=${encodeURIComponent(safeReturnPath(returnTo))}`);
  return { user: caller.user, session: caller.session };
}

/** Like requireUser, and the user must be a platform administrator (404 otherwise). */
export async function requireAdmin(returnTo = "/"): Promise<{ user: CallerUser; session: CallerSession }> {
  const caller = await requireUser(returnTo);
  if (caller.user.role !== "admin") {
    const { notFound } = await import("next/navigation");
    notFound();
  }
  return caller;
}
