import { promises as dnsPromises } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector } from "undici";

/**
 * Outbound webhook SSRF guard. Only globally routable unicast addresses are reachable: loopback,
 * private, link-local (cloud metadata 169.254.169.254), CGNAT (100.64/10, Alibaba's metadata),
 * unique-local (fd00:ec2::254), NAT64 (64:ff9b::/96, /48), 6to4, Teredo, IPv4-mapped and
 * IPv4-compatible IPv6, ISATAP identifiers around a non-public IPv4 address,
 * multicast and reserved ranges are refused. The check runs at connect time on the address the
 * socket actually connects to, so DNS rebinding between a check and the connect is impossible.
 */
export class SsrfBlockedError extends Error {
  readonly code = "SSRF_BLOCKED";
  constructor(readonly host: string, readonly address: string) {
    super(address === host ? `Refused: ${host} is not a public internet address.` : `Refused: ${host} resolves to ${address}, which is not a public internet address.`);
    this.name = "SsrfBlockedError";
  }
}

export type Resolve = (hostname: string) => Promise<string[]>;

const systemResolve: Resolve = async (hostname) => (await dnsPromises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export function parseAllowCidrs(list: string): [ipaddr.IPv4 | ipaddr.IPv6, number][] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((cidr) => ipaddr.parseCIDR(cidr));
}

/** True when `address` may not be contacted (see the class comment for the ranges). */
export function isBlockedAddress(address: string, allow: [ipaddr.IPv4 | ipaddr.IPv6, number][] = []): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.parse(address);
  for (const [net, bits] of allow) {
    if (parsed.kind() === net.kind() && parsed.match(net, bits)) return false;
  }
  if (parsed.kind() === "ipv6" && embedsIpv4((parsed as ipaddr.IPv6).parts)) return true;
  return parsed.range() !== "unicast";
}

/**
 * IPv6 forms that carry an IPv4 address the library calls plain unicast: the deprecated
 * IPv4-compatible range ::/96 (`[::127.0.0.1]`, normalised `::7f00:1`), and ISATAP interface
 * identifiers (`…:0:5efe:a.b.c.d`, `…:200:5efe:a.b.c.d`) whose IPv4 part is not public.
 * Mapped, NAT64, 6to4 and Teredo addresses already have their own non-unicast ranges.
 */
function embedsIpv4(parts: number[]): boolean {
  if (parts.slice(0, 6).every((p) => p === 0)) return true;
  if ((parts[4] === 0 || parts[4] === 0x200) && parts[5] === 0x5efe) {
    const v4 = [parts[6]! >> 8, parts[6]! & 0xff, parts[7]! >> 8, parts[7]! & 0xff].join(".");
    return isBlockedAddress(v4);
  }
  return false;
}

export interface GuardOptions {
  /** CIDRs reachable despite the guard (WEBHOOK_ALLOW_CIDRS; development and tests only). */
  allowCidrs?: string;
  resolve?: Resolve;
  connectTimeoutMs?: number;
}

/** Resolves `host` and returns the address to connect to, or throws SsrfBlockedError. */
export async function resolveSafeAddress(host: string, options: GuardOptions = {}): Promise<string> {
  const allow = parseAllowCidrs(options.allowCidrs ?? "");
  const bare = host.replace(/^\[|\]$/g, "");
  const addresses = isIP(bare) ? [bare] : await (options.resolve ?? systemResolve)(bare);
  if (addresses.length === 0) throw new Error(`Could not resolve ${bare}.`);
  // Every answer must be public: a mixed answer is how rebinding attacks hedge.
  for (const a of addresses) if (isBlockedAddress(a, allow)) throw new SsrfBlockedError(bare, a);
  return addresses[0]!;
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
