/** Session lifetimes: rolling idle expiry plus an absolute cap (docs/accounts.md). */
export const SESSION_IDLE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_TTL_MS = 90 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reads do not turn into writes. */
export const SESSION_BUMP_INTERVAL_MS = 60 * 1000;
/** Sudo mode: sensitive actions need a password/TOTP re-check this recent. */
export const SUDO_WINDOW_MS = 2 * 60 * 60 * 1000;
export const SESSION_COOKIE_BASE = "wh_session";
/** A sealed session cookie is ~250 bytes; anything far larger is not ours. */
export const MAX_SEAL_LENGTH = 1024;
