import ipaddr from "ipaddr.js";

/**
 * Why a git host on the internet could not deliver to this push-webhook URL, or null when it
 * might: loopback, `localhost`/`*.localhost`, `.local`/`.internal` names and private, link-local or
 * unique-local addresses only answer on this machine or its network. Pure, for the auto-deploy
 * panel (src/app/apps/[appId]/settings/auto-deploy-panel.tsx).
 */
export function unreachableWebhookReason(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return null;
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "localhost" || host.endsWith(".localhost")) return `${host} is this machine`;
  if (host.endsWith(".local") || host.endsWith(".internal") || host.endsWith(".lan") || !host.includes(".") && !host.includes(":")) {
    return `${host} is a name only your local network resolves`;
  }
  if (!ipaddr.isValid(host)) return null;
  const range = ipaddr.process(host).range();
  if (range === "loopback") return `${host} is this machine`;
  if (range === "private" || range === "linkLocal" || range === "uniqueLocal" || range === "carrierGradeNat" || range === "unspecified") {
    return `${host} is a private address`;
  }
  return null;
}
