import { generateSecret, generateURI, verify } from "otplib";

export const TOTP_PERIOD_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(email: string, secret: string): string {
  return generateURI({ issuer: "WiseHosting", label: email, secret });
}

/**
 * The time step a 6-digit code belongs to, within ±1 step of now; null when it matches none.
 * Whether that step was already used is the caller's compare-and-set (consume-totp-step.ts).
 */
export async function matchTotpStep(secret: string, code: string, now: Date): Promise<number | null> {
  const result = await verify({ secret, token: code, epoch: Math.floor(now.getTime() / 1000), epochTolerance: TOTP_PERIOD_SECONDS });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}
