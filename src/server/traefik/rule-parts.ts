/**
 * Only strings that pass these checks reach a Traefik rule or name, so no backtick, space or
 * operator from stored data can change a rule (domains are validated at creation too; this is
 * the last line).
 */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** One DNS label as a hostname may hold it (what isRenderableHostname checks each label against). */
export function isRenderableLabel(label: string): boolean {
  return LABEL.test(label);
}

export function isRenderableHostname(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split(".");
  if (labels.length < 2) return false;
  if (!labels.every((l) => LABEL.test(l))) return false;
  // The last label of a DNS name is never all digits; this also refuses IPv4 literals.
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

/** Host(`a`) || Host(`b`) from hostnames that passed isRenderableHostname. */
export function buildHostRule(hosts: string[]): string {
  return hosts.map((h) => `Host(\`${h}\`)`).join(" || ");
}

/** Router/service names: ASCII letters, digits and dashes, never `@` (Traefik's provider separator). */
export function safeRouterName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  return cleaned.slice(0, 100) || "app";
}

/** The app's internal port: PORT from the app's env when it parses as a port, else the fallback. */
export function internalPortFrom(portEnv: string | undefined, fallback: number): number {
  if (portEnv !== undefined && /^[0-9]{1,5}$/.test(portEnv.trim())) {
    const port = Number(portEnv.trim());
    if (port >= 1 && port <= 65535) return port;
  }
  return fallback >= 1 && fallback <= 65535 ? fallback : 8080;
}
