import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import type { AppConfig } from "../../config/config";
import { deriveKey, KEY_PURPOSES } from "../../crypto/hkdf";
import { clearCookie, readCookie, serializeCookie } from "../../http/cookies";
import { cookieName, cookiesAreSecure } from "../../http/cookie-security";

const TTL_SECONDS = 10 * 60;
const flowSchema = z.object({
  state: z.string().min(20).max(200),
  nonce: z.string().min(20).max(200),
  verifier: z.string().min(43).max(200),
  next: z.string().max(500),
  /** "link": attach the Google identity to the signed-in account (userId), proven by both. */
  mode: z.enum(["signin", "link"]),
  linkUserId: z.number().int().positive().nullable(),
});
export type OidcFlow = z.infer<typeof flowSchema>;

type Cfg = Pick<AppConfig, "APP_SECRET" | "PUBLIC_URL">;
const password = (config: Cfg) => deriveKey(config.APP_SECRET, KEY_PURPOSES.oauthState).toString("hex");
const name = (config: Cfg) => cookieName(config, "wh_oidc");

/** state, nonce and the PKCE verifier travel sealed in a short-lived cookie, bound to this browser. */
export async function flowSetCookie(config: Cfg, flow: OidcFlow): Promise<string> {
  const seal = await sealData(flowSchema.parse(flow), { password: password(config), ttl: TTL_SECONDS });
  return serializeCookie(name(config), seal, { maxAgeSeconds: TTL_SECONDS, secure: cookiesAreSecure(config) });
}

export function flowClearCookie(config: Cfg): string {
  return clearCookie(name(config), cookiesAreSecure(config));
}

export async function readFlow(config: Cfg, cookieHeader: string | null): Promise<OidcFlow | null> {
  const seal = readCookie(cookieHeader, name(config));
  if (!seal || seal.length > 2048) return null;
  try {
    const parsed = flowSchema.safeParse(await unsealData(seal, { password: password(config), ttl: TTL_SECONDS }));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
