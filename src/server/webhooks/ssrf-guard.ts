import { isIP } from "node:net";
import { Agent, buildConnector } from "undici";
import { parseAllowCidrs, resolvePublicAddress, type Resolve } from "../../net/address-policy";

/**
 * Outbound webhook SSRF guard, on the address policy in src/net/address-policy.ts (which ranges
 * are refused, shared with the worker's git clones). The check runs at connect time on the
 * address the socket actually connects to, so DNS rebinding between a check and the connect is
 * impossible.
 */
export { BlockedAddressError as SsrfBlockedError, isBlockedAddress, parseAllowCidrs, type Resolve } from "../../net/address-policy";

export interface GuardOptions {
  /** CIDRs reachable despite the guard (WEBHOOK_ALLOW_CIDRS; development and tests only). */
  allowCidrs?: string;
  resolve?: Resolve;
  connectTimeoutMs?: number;
}

/** Resolves `host` and returns the address to connect to, or throws SsrfBlockedError. */
export function resolveSafeAddress(host: string, options: GuardOptions = {}): Promise<string> {
  return resolvePublicAddress(host, { allow: parseAllowCidrs(options.allowCidrs ?? ""), resolve: options.resolve });
}

/** An undici Agent whose every connection goes through the guard; no keep-alive reuse across hosts. */
export function createGuardedAgent(options: GuardOptions = {}): Agent {
  const base = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000 });
  return new Agent({
    connect: (opts, callback) => {
      resolveSafeAddress(opts.hostname, options).then(
        (address) => {
          const host = opts.hostname.replace(/^\[|\]$/g, "");
          base({ ...opts, hostname: address, servername: opts.servername ?? (isIP(host) ? undefined : host) }, callback);
        },
        (err: Error) => callback(err, null),
      );
    },
    keepAliveTimeout: 1_000,
    connections: 16,
  });
}

/** Checks a webhook URL at creation: http(s) only, no credentials, and a public address. */
export async function validateWebhookUrl(raw: string, options: GuardOptions = {}): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("Enter a full URL such as https://example.com/hooks/wisehosting.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("Webhook URLs must start with https:// or http://.");
  if (url.username || url.password) throw new Error("Put credentials in the path or query, not in the URL's user:password part.");
  await resolveSafeAddress(url.hostname, options);
  return url;
}
