import ipaddr from "ipaddr.js";

/**
 * TRUST_PROXY: which peers may set X-Forwarded-For. A comma-separated list of `loopback`,
 * `private` (RFC 1918, unique-local, link-local), `none`, single addresses or CIDR ranges.
 */
export type TrustPredicate = (ip: string) => boolean;

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

function parse(ip: string): Parsed | null {
  const trimmed = ip.trim().replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(trimmed)) return null;
  const addr = ipaddr.parse(trimmed);
  // ::ffff:127.0.0.1 behaves as the IPv4 address it carries.
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** Normalised textual form, or "" when the value is not an IP address. */
export function normaliseIp(ip: string): string {
  return parse(ip)?.toString() ?? "";
}

export function parseTrustProxy(setting: string): TrustPredicate {
  const rules: ((a: Parsed) => boolean)[] = [];
  for (const raw of setting.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (raw === "none" || raw === "false") continue;
    if (raw === "loopback") rules.push((a) => a.range() === "loopback");
    else if (raw === "private") rules.push((a) => ["private", "uniqueLocal", "linkLocal", "loopback"].includes(a.range()));
    else if (raw.includes("/")) {
      const [net, bits] = ipaddr.parseCIDR(raw);
      rules.push((a) => a.kind() === net.kind() && a.match(net, bits));
    } else {
      const single = parse(raw);
      if (!single) throw new Error(`TRUST_PROXY: "${raw}" is not loopback, private, none, an IP address or a CIDR range`);
      rules.push((a) => a.kind() === single.kind() && a.toString() === single.toString());
    }
  }
  return (ip) => {
    const addr = parse(ip);
    return addr !== null && rules.some((rule) => rule(addr));
  };
}

/**
 * The client address from X-Forwarded-For. The rightmost hop is the peer that connected to
 * the web server (the server appends it: see forwarded-for.ts); walking left, each hop is
 * believed only while the hop to its right is a trusted proxy. A client cannot spoof its
 * address by sending the header itself, since its own address is appended after it.
 */
export function clientIpFromForwardedFor(forwardedFor: string | null, trusted: TrustPredicate): string {
  if (!forwardedFor) return "";
  const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseIp(hops[i]!);
    if (!hop) return "";
    if (i === 0 || !trusted(hop)) return hop;
  }
  return "";
}
