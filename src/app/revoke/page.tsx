import type { Metadata } from "next";
import { getServices } from "@/server/runtime/services";
import { inspectRevokeLink } from "@/server/sessions/revoke-by-link";
import { RevokeRefused } from "./revoke-refused";

export const metadata: Metadata = { title: "Revoke session", robots: { index: false } };
export const dynamic = "force-dynamic";

/**
 * The new-device email's link. GET only shows what would be revoked: mail scanners fetch (and
 * sometimes script) links, so nothing changes until a person presses the button (a POST).
 */
export default async function RevokePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const target = typeof token === "string" ? await inspectRevokeLink(getServices("web"), { token }) : null;
  if (!target) return <RevokeRefused />;
  return (
    <div className="mx-auto mt-10 max-w-md space-y-5 rounded-lg border border-line bg-panel p-6">
      <h1 className="text-xl font-semibold">Revoke this session?</h1>
      <dl className="grid grid-cols-[110px_1fr] gap-y-1 text-sm">
        <dt className="text-muted">Signed in</dt>
        <dd>{target.createdAt.toUTCString()}</dd>
        <dt className="text-muted">Device</dt>
        <dd>{target.device || "Unknown"}</dd>
        <dt className="text-muted">Browser</dt>
        <dd>{target.browser || "Unknown"}</dd>
        <dt className="text-muted">System</dt>
        <dd>{target.os || "Unknown"}</dd>
        <dt className="text-muted">IP address</dt>
        <dd>{target.ip || "Unknown"}</dd>
        <dt className="text-muted">Location</dt>
        <dd>{target.location || "Unknown"}</dd>
      </dl>
      {target.alreadyRevoked ? (
        <p className="text-sm text-ok" role="status">This session is already signed out.</p>
      ) : (
        <form method="post" action="/api/auth/revoke-link">
          <input type="hidden" name="token" value={token as string} />
          <button type="submit" className="rounded-md bg-bad px-4 py-2 text-sm font-semibold text-strong hover:bg-bad/90">
            Revoke this session
          </button>
        </form>
      )}
      <p className="text-xs text-muted">If this sign-in was not you, also change your password after revoking.</p>
    </div>
  );
}
