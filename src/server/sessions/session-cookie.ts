import { sealData, unsealData } from "iron-session";
import type { AppConfig } from "../config/config";
import { deriveKey, KEY_PURPOSES } from "../crypto/hkdf";
import { clearCookie, readCookie, serializeCookie } from "../http/cookies";
import { cookieName, cookiesAreSecure } from "../http/cookie-security";
import { MAX_SEAL_LENGTH, SESSION_ABSOLUTE_TTL_MS, SESSION_COOKIE_BASE } from "./session-policy";
import { z } from "zod";

type CookieConfig = Pick<AppConfig, "PUBLIC_URL" | "APP_SECRET">;

const sealedPayload = z.object({ t: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

function sealPassword(config: CookieConfig): string {
  return deriveKey(config.APP_SECRET, KEY_PURPOSES.sessionCookie).toString("hex");
}

const ttlSeconds = Math.floor(SESSION_ABSOLUTE_TTL_MS / 1000);

export function sessionCookieName(config: CookieConfig): string {
  return cookieName(config, SESSION_COOKIE_BASE);
}

/** Set-Cookie header carrying the sealed session token. */
export async function sessionSetCookie(config: CookieConfig, token: string): Promise<string> {
  const seal = await sealData({ t: token }, { password: sealPassword(config), ttl: ttlSeconds });
  return serializeCookie(sessionCookieName(config), seal, { maxAgeSeconds: ttlSeconds - 60, secure: cookiesAreSecure(config) });
}

export function sessionClearCookie(config: CookieConfig): string {
  return clearCookie(sessionCookieName(config), cookiesAreSecure(config));
}

export type OpenedCookie = { kind: "absent" } | { kind: "invalid" } | { kind: "token"; token: string };

/**
 * Reads and unseals the session cookie. Tampered, truncated, oversized, expired or sealed with
 * another password all come back as "invalid" (the caller signs the visitor out), never a throw.
 */
export async function openSessionCookie(config: CookieConfig, cookieHeader: string | null): Promise<OpenedCookie> {
  const seal = readCookie(cookieHeader, sessionCookieName(config));
  if (seal === undefined || seal === "") return { kind: "absent" };
  if (seal.length > MAX_SEAL_LENGTH || !seal.startsWith("Fe26.2*")) return { kind: "invalid" };
  try {
    const data = await unsealData<unknown>(seal, { password: sealPassword(config), ttl: ttlSeconds });
    const parsed = sealedPayload.safeParse(data);
    return parsed.success ? { kind: "token", token: parsed.data.t } : { kind: "invalid" };
  } catch {
    return { kind: "invalid" };
  }
}
