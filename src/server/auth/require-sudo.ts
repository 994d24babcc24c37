import type { CallerSession } from "./actor";
import { SUDO_WINDOW_MS } from "../sessions/session-policy";
import { sudoRequired } from "./auth-errors";

export function inSudoMode(session: Pick<CallerSession, "reauthAt">, now: Date): boolean {
  return session.reauthAt !== null && now.getTime() - session.reauthAt.getTime() <= SUDO_WINDOW_MS;
}

/** Sensitive actions need a password or TOTP re-check within the last 2 hours. */
export function requireSudo(session: Pick<CallerSession, "reauthAt">, now: Date): void {
  if (!inSudoMode(session, now)) throw sudoRequired();
}
