import { domainToASCII, domainToUnicode } from "node:url";
import ipaddr from "ipaddr.js";

export const HOSTNAME_MAX = 253;
export const LABEL_MAX = 63;

export interface HostnameContext {
  /** Apps answer at <slug>.<platformDomain>; nothing under it can be claimed. */
  platformDomain: string;
  /** Other hosts the platform answers at (dashboard, hub, CNAME target). */
  reservedHosts: string[];
}

export type HostnameCheck = { ok: true; hostname: string } | { ok: false; message: string };

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Strict custom-domain validation. The hostname ends up inside a Traefik Host(`…`) rule, so only
 * the LDH alphabet is accepted (no backticks, parentheses, spaces, newlines, underscores or
 * wildcards); internationalised names must be entered as punycode, which is checked to decode.
 */
export function checkHostname(raw: string, ctx: HostnameContext): HostnameCheck {
  const fail = (message: string): HostnameCheck => ({ ok: false, message });
  let host = raw.trim().toLowerCase();
  if (host === "") return fail("Enter a domain name such as www.example.com.");
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.includes("*")) return fail("Wildcard domains are not supported; add each host name separately.");
  // A pasted address (https://shop.example.com/, shop.example.com/path, user@host): say what to
  // remove, naming the host we would keep, rather than a grammar error about ':' or '/'.
  const address = /^[a-z][a-z0-9+.-]*:\/\//.test(host) || /[/?#@]/.test(host);
  if (address) {
    const bare = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/^[^@/]*@/, "").split(/[/?#]/)[0]!.replace(/:\d+$/, "");
    return fail(`Enter the host name without https:// or a path${bare && bare !== host ? `: ${bare}` : ""}.`);
  }
  if (/[^\u0000-\u007f]/.test(raw)) {
    const ascii = domainToASCII(raw.trim());
    return fail(
      ascii
        ? `Enter internationalised names in punycode: ${ascii}.`
        : "Domain names must be written with letters a–z, digits, hyphens and dots.",
    );
  }
  if (host.length > HOSTNAME_MAX) return fail(`A domain name has at most ${HOSTNAME_MAX} characters (this one has ${host.length}).`);
  if (/^\[.*\]$/.test(host) || host.includes(":") || ipaddr.isValid(host) || /^[0-9.]+$/.test(host)) {
    return fail("Enter a domain name, not an IP address.");
  }
  if (!/^[a-z0-9.-]+$/.test(host)) {
    return fail("Domain names may contain only letters a–z, digits, hyphens and dots (no underscores, spaces or other characters).");
  }
  const labels = host.split(".");
  if (labels.length < 2) return fail("Enter a full domain name including its top-level domain, e.g. example.com.");
  for (const label of labels) {
    if (label === "") return fail("A domain name cannot contain empty labels (two dots in a row).");
    if (label.length > LABEL_MAX) return fail(`Each part of a domain name has at most ${LABEL_MAX} characters.`);
    if (!LABEL.test(label)) return fail(`"${label}" cannot start or end with a hyphen.`);
    if (label.length >= 4 && label.slice(2, 4) === "--") {
      if (!label.startsWith("xn--")) return fail(`"${label}" has '--' in positions 3–4, which is reserved for punycode (xn--).`);
      const unicode = domainToUnicode(label);
      if (!unicode || unicode === label || domainToASCII(unicode) !== label) return fail(`"${label}" is not valid punycode.`);
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return fail("The top-level domain cannot be all digits.");
  const platform = ctx.platformDomain.toLowerCase();
  if (host === platform || host.endsWith(`.${platform}`)) {
    return fail(`${host} belongs to the platform; apps already answer at <name>.${platform}. Use a domain you own.`);
  }
  for (const reserved of ctx.reservedHosts) {
    const r = reserved.toLowerCase();
    if (r && (host === r || host.endsWith(`.${r}`))) return fail(`${host} belongs to the platform. Use a domain you own.`);
  }
  return { ok: true, hostname: host };
}
