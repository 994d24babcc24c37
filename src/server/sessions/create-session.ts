import type { ClientInfo } from "../auth/client-context";
import type { Db } from "../db/client";
import { hashSessionToken, newSessionToken } from "./session-token";
import { parseDevice, type DeviceInfo } from "./device-info";
import { lookupGeo, type GeoInfo } from "./geo-lookup";
import { SESSION_ABSOLUTE_TTL_MS } from "./session-policy";


export interface CreatedSession {
  id: number;
  token: string;
  client: ClientInfo & DeviceInfo & GeoInfo;
}

/**
 * A new random token per sign-in (and per re-auth), its hash stored with
 * IP, geo, parsed device and whether 2FA was passed.
 */
export async function createSession(
  db: Db,
  input: { userId: number; twoFactor: boolean; client: ClientInfo; geoDbPath?: string; now?: Date; reauthAt?: Date | null },
): Promise<CreatedSession> {
  const now = input.now ?? new Date();
  const token = newSessionToken();
  const device = parseDevice(input.client.userAgent);
  const geo = await lookupGeo(input.geoDbPath, input.client.ip);
  const row = await db.session.create({
    data: {
      userId: input.userId,
      tokenHash: hashSessionToken(token),
      ip: input.client.ip,
      userAgent: input.client.userAgent.slice(0, 512),
      ...device,
      ...geo,
      twoFactor: input.twoFactor,
      reauthAt: input.reauthAt === undefined ? now : input.reauthAt,
      lastSeenAt: now,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_TTL_MS),
    },
    select: { id: true },
  });
  return { id: row.id, token, client: { ...input.client, userAgent: input.client.userAgent.slice(0, 512), ...device, ...geo } };
}
