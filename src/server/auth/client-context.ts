import type { AuditContext } from "../audit/record-audit-event";
import { parseDevice } from "../sessions/device-info";

/** Who is on the other end of a request: address and user agent. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** Audit context for a request, with the device parsed from the user agent. */
export function auditContext(client: ClientInfo, sessionId: number | null = null): AuditContext {
  return { ip: client.ip, userAgent: client.userAgent, ...parseDevice(client.userAgent), sessionId };
}
