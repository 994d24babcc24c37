import { promises as dnsPromises } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which addresses the platform may be made to connect to on a user's behalf (webhook deliveries
 * from the control plane, git clones on a worker). Only globally routable unicast addresses are:
 * loopback, private, link-local (cloud metadata 169.254.169.254), CGNAT (100.64/10, Alibaba's
 * metadata), unique-local (fd00:ec2::254), NAT64 (64:ff9b::/96, /48), 6to4, Teredo, IPv4-mapped
 * and IPv4-compatible IPv6, ISATAP identifiers around a non-public IPv4 address, multicast and
 * reserved ranges are refused. Pure and shared: the agent and the control plane both import it.
 */

export type CidrList = [ipaddr.IPv4 | ipaddr.IPv6, number][];
export type Resolve = (hostname: string) => Promise<string[]>;

/** The system resolver (hosts file, then DNS), every address of the name. */
export const systemResolve: Resolve = async (hostname) => (await dnsPromises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** Refused: the host is, or resolves to, an address that is not public. */
export class BlockedAddressError extends Error {
  readonly code = "SSRF_BLOCKED";
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(address === host ? `Refused: ${host} is not a public internet address.` : `Refused: ${host} resolves to ${address}, which is not a public internet address.`);
    this.name = "BlockedAddressError";
  }
}

/** A comma-separated CIDR list ("10.0.0.0/8, fd00::/8"); throws on an entry that is not a CIDR. */
export function parseAllowCidrs(list: string): CidrList {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((cidr) => ipaddr.parseCIDR(cidr));
}

/** What is wrong with a CIDR allow-list setting, or null. */
export function allowCidrsProblem(list: string): string | null {
  for (const entry of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    try {
      ipaddr.parseCIDR(entry);
    } catch {
      return `"${entry}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`;
    }
  }
  return null;
}

/** True when `address` may not be contacted (see the module comment for the ranges). */
export function isBlockedAddress(address: string, allow: CidrList = []): boolean {
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

/** A host as URLs write it, without the brackets around an IPv6 literal. */
export function bareHost(host: string): string {
  return host.replace(/^\[|\]$/g, "");
}

/**
 * Resolves `host` (or takes it as the address when it is an IP literal) and returns the address
 * to connect to, or throws BlockedAddressError. Every answer must be public: a mixed answer is
 * how rebinding attacks hedge. The caller connects to the returned address, not to the name.
 */
export async function resolvePublicAddress(host: string, options: { allow?: CidrList; resolve?: Resolve } = {}): Promise<string> {
  const bare = bareHost(host);
  const addresses = isIP(bare) ? [bare] : await (options.resolve ?? systemResolve)(bare);
  if (addresses.length === 0) throw new Error(`Could not resolve ${bare}.`);
  for (const a of addresses) if (isBlockedAddress(a, options.allow ?? [])) throw new BlockedAddressError(bare, a);
  return addresses[0]!;
}
