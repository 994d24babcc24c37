import type { HeaderGet, PushVendor } from "./push-event";

/**
 * Which vendor sent the delivery. Gitea and Forgejo also send GitHub's headers for compatibility,
 * so their own headers are checked first.
 */
export function detectVendor(header: HeaderGet): PushVendor | null {
  if (header("x-gitea-event") || header("x-forgejo-event") || header("x-gogs-event")) return "gitea";
  if (header("x-github-event")) return "github";
  if (header("x-gitlab-event")) return "gitlab";
  if (header("x-event-key")) return "bitbucket";
  return null;
}

/**
 * The vendor's delivery id from its header. Not covered by the signature, so it only helps a user
 * find the delivery in the vendor's log; replays are recognised by the body (handle-push.ts).
 */
export function deliveryIdOf(vendor: PushVendor, header: HeaderGet): string | null {
  const candidates: Record<PushVendor, string[]> = {
    github: ["x-github-delivery"],
    gitea: ["x-gitea-delivery", "x-forgejo-delivery", "x-gogs-delivery", "x-github-delivery"],
    gitlab: ["x-gitlab-event-uuid", "x-gitlab-webhook-uuid", "idempotency-key"],
    bitbucket: ["x-request-uuid", "x-request-id", "x-hook-uuid"],
  };
  for (const name of candidates[vendor]) {
    const value = header(name)?.trim();
    if (value && value.length <= 200) return value;
  }
  return null;
}
