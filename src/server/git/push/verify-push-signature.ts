import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { HeaderGet, PushVendor } from "./push-event";

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Both sides are hashed first so the comparison is constant-time whatever the lengths. */
function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function hmacHex(secret: string, body: Buffer): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/**
 * GitHub: X-Hub-Signature-256 `sha256=<hex>`. Gitea/Forgejo: X-Gitea-Signature (or
 * X-Forgejo-Signature) `<hex>`. Bitbucket: X-Hub-Signature `sha256=<hex>`. GitLab sends the secret
 * itself in X-Gitlab-Token. A delivery without its signature is refused, never accepted unsigned.
 */
export function verifyPushSignature(vendor: PushVendor, header: HeaderGet, body: Buffer, secret: string): SignatureCheck {
  if (!secret) return { ok: false, reason: "this endpoint has no secret configured" };
  switch (vendor) {
    case "github": {
      const sig = header("x-hub-signature-256");
      if (!sig) return { ok: false, reason: "missing X-Hub-Signature-256 (set the webhook secret in GitHub)" };
      return constantTimeEqual(sig.trim().toLowerCase(), `sha256=${hmacHex(secret, body)}`) ? { ok: true } : { ok: false, reason: "signature does not match" };
    }
    case "gitea": {
      const sig = header("x-gitea-signature") ?? header("x-forgejo-signature") ?? header("x-gogs-signature");
      if (!sig) return { ok: false, reason: "missing X-Gitea-Signature (set the webhook secret)" };
      return constantTimeEqual(sig.trim().toLowerCase(), hmacHex(secret, body)) ? { ok: true } : { ok: false, reason: "signature does not match" };
    }
    case "bitbucket": {
      const sig = header("x-hub-signature");
      if (!sig) return { ok: false, reason: "missing X-Hub-Signature (set the webhook secret in Bitbucket)" };
      return constantTimeEqual(sig.trim().toLowerCase(), `sha256=${hmacHex(secret, body)}`) ? { ok: true } : { ok: false, reason: "signature does not match" };
    }
    case "gitlab": {
      const token = header("x-gitlab-token");
      if (!token) return { ok: false, reason: "missing X-Gitlab-Token (set the secret token in GitLab)" };
      return constantTimeEqual(token, secret) ? { ok: true } : { ok: false, reason: "token does not match" };
    }
  }
}
