import type { AuditContext } from "../audit/record-audit-event";

/** Who is acting: the signed-in user as services need them (routers build it from ctx). */
export interface Actor {
  userId: number;
  email: string;
  plan: string;
  audit: AuditContext;
}
