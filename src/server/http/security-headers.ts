import { randomBytes } from "node:crypto";
import type { AppConfig } from "../config/config";

/** 128 random bits per response: what the page's scripts must carry to run. */
export function newCspNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The dashboard's Content-Security-Policy. Scripts run only with this response's nonce (Next.js
 * reads it from the request's own CSP header and puts it on every script it renders), or when a
 * nonced script loads them ('strict-dynamic'). `next dev` needs eval for its error overlay and
 * fast refresh; production never does. Inline style attributes stay allowed: React renders
 * them, and they cannot run code.
 */
export function contentSecurityPolicy(nonce: string, options: { dev: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/**
 * Headers every dashboard response carries. HSTS only when the dashboard is served over https
 * (it is meaningless, and would be ignored, on plain http). Referrer-Policy same-origin: links
 * carrying tokens (revoke, email confirmation) never leak them to another site, while same-origin
 * requests keep a full Origin (no-referrer would send `Origin: null` and fail the CSRF check).
 */
export function securityHeaders(config: Pick<AppConfig, "PUBLIC_URL">, options: { nonce: string; dev: boolean }): Record<string, string> {
  const https = new URL(config.PUBLIC_URL).protocol === "https:";
  return {
    "content-security-policy": contentSecurityPolicy(options.nonce, { dev: options.dev, https }),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    ...(https ? { "strict-transport-security": "max-age=31536000" } : {}),
  };
}
