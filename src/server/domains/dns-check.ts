import { Resolver } from "node:dns/promises";
import ipaddr from "ipaddr.js";

export interface DnsCheckInput {
  hostname: string;
  token: string;
  /** "host:port" or "host"; unset: the system resolver. */
  resolver?: string;
  cnameTarget: string;
  allowedAddresses: string[];
}

export type DnsCheckResult = { ok: true } | { ok: false; reason: string };

const NOT_FOUND = new Set(["ENOTFOUND", "ENODATA", "ENONAME", "NXDOMAIN"]);

function makeResolver(address: string | undefined): Resolver {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (address) resolver.setServers([address]);
  return resolver;
}

async function lookup<T>(fn: () => Promise<T[]>): Promise<T[] | { error: string }> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (NOT_FOUND.has(code)) return [];
    return { error: code || (err as Error).message };
  }
}

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.process(a).toNormalizedString() === ipaddr.process(b).toNormalizedString();
  } catch {
    return false;
  }
}

/**
 * Ownership: a TXT record `_wisehosting-challenge.<host>` holding the domain's token. Routing: the
 * host CNAMEs to the platform target, or (for apex domains, which cannot CNAME) its A/AAAA records
 * are among the platform's addresses or those of the target.
 */
export async function checkDomainDns(input: DnsCheckInput): Promise<DnsCheckResult> {
  const resolver = makeResolver(input.resolver);
  const challenge = `_wisehosting-challenge.${input.hostname}`;
  const txt = await lookup(() => resolver.resolveTxt(challenge));
  if ("error" in txt) return { ok: false, reason: `DNS lookup of ${challenge} failed (${txt.error}); try again in a few minutes.` };
  const values = txt.map((chunks) => chunks.join(""));
  if (!values.includes(input.token)) {
    return {
      ok: false,
      reason: values.length === 0
        ? `No TXT record found at ${challenge}. Create it with the value shown, then verify again (DNS changes can take a while to appear).`
        : `The TXT record at ${challenge} does not hold this domain's token. Set it to the value shown.`,
    };
  }
  const target = input.cnameTarget.toLowerCase().replace(/\.$/, "");
  const cname = await lookup(() => resolver.resolveCname(input.hostname));
  if (!("error" in cname) && cname.some((c) => c.toLowerCase().replace(/\.$/, "") === target)) return { ok: true };

  const [v4, v6] = await Promise.all([lookup(() => resolver.resolve4(input.hostname)), lookup(() => resolver.resolve6(input.hostname))]);
  const addresses = [...(Array.isArray(v4) ? v4 : []), ...(Array.isArray(v6) ? v6 : [])];
  if (addresses.length === 0) {
    return { ok: false, reason: `${input.hostname} has no CNAME to ${target} and no A/AAAA record. Create the CNAME shown, then verify again.` };
  }
  let allowed = input.allowedAddresses;
  if (allowed.length === 0) {
    const [t4, t6] = await Promise.all([lookup(() => resolver.resolve4(target)), lookup(() => resolver.resolve6(target))]);
    allowed = [...(Array.isArray(t4) ? t4 : []), ...(Array.isArray(t6) ? t6 : [])];
  }
  const stray = addresses.filter((a) => !allowed.some((b) => sameAddress(a, b)));
  if (allowed.length > 0 && stray.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `${input.hostname} points at ${addresses.join(", ")}, not at the platform. Point a CNAME at ${target}${input.allowedAddresses.length ? ` or A records at ${input.allowedAddresses.join(", ")}` : ""}.`,
  };
}
