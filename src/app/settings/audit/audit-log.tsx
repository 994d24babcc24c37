"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import { ScrollX } from "@/components/scroll-x";

const LABELS: Record<string, string> = {
  login: "Signed in",
  logout: "Signed out",
  signup: "Account created",
  login_failed: "Failed sign-in",
  session_revoked: "Session revoked",
  reauth: "Identity confirmed",
  totp_enabled: "Two-factor turned on",
  totp_disabled: "Two-factor turned off",
  totp_replay_refused: "Reused 2FA code refused",
  backup_codes_regenerated: "New backup codes",
  backup_code_used: "Backup code used",
  password_changed: "Password changed",
  email_changed: "Email changed",
  provider_linked: "Google account linked",
  email_verified: "Email address confirmed",
  email_change_requested: "Email change requested",
  email_change_cancelled: "Email change cancelled",
  signup_attempt_existing: "Sign-up attempted with this address",
  admin_granted: "Became administrator",
  app_create: "App created",
  app_update: "App settings changed",
  app_deploy: "Deploy started",
  app_rollback: "Rollback started",
  app_restart: "App restarted",
  app_start: "App started",
  app_stop: "App stopped",
  app_delete: "App deleted",
  deployment_cancel: "Deployment cancelled",
  env_set: "Env var set",
  env_delete: "Env var deleted",
  domain_create: "Domain added",
  domain_verify: "Domain verified",
  domain_delete: "Domain removed",
  git_token_connect: "Git account connected",
  git_token_revoke: "Git account disconnected",
  webhook_create: "Webhook added",
  webhook_delete: "Webhook deleted",
  push_refused: "Push refused",
};

export function AuditLog() {
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  if (query.isPending) return <p role="status" className="text-sm text-muted">Loading events…</p>;
  if (query.isError) return <p role="alert" className="text-sm text-bad">Could not load the audit log. Reload the page to try again.</p>;
  const events = query.data.pages.flatMap((p) => p.events);
  if (events.length === 0) return <p className="text-sm text-muted">No events yet.</p>;
  return (
    <div className="space-y-3">
      <ScrollX label="Audit events">
      <table className="w-full text-left text-sm" data-testid="audit-table">
        <thead className="text-muted">
          <tr>
            <th scope="col" className="py-2">Time</th>
            <th scope="col">Event</th>
            <th scope="col">IP</th>
            <th scope="col">Device</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} className="border-t border-line" data-kind={e.kind}>
              <td className="py-2 whitespace-nowrap">{new Date(e.createdAt).toLocaleString()}</td>
              <td>
                {LABELS[e.kind] ?? e.kind.replace(/_/g, " ")}
                {e.target ? <span className="text-muted" data-testid="audit-target"> · {e.target}</span> : null}
              </td>
              <td>{e.ip || "—"}</td>
              <td>{[e.browser, e.os].filter(Boolean).join(" on ") || e.device || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </ScrollX>
      {query.hasNextPage ? (
        <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2">
          {query.isFetchingNextPage ? "Loading…" : "Load older events"}
        </button>
      ) : null}
    </div>
  );
}
