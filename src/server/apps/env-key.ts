/** A valid env var key: an upper-case letter, then up to 63 of [A-Z0-9_]. */
export const ENV_KEY_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

export function isValidEnvKey(key: string): boolean {
  return ENV_KEY_PATTERN.test(key);
}

export const ENV_KEY_RULE =
  "must start with an upper-case letter and contain only A-Z, 0-9 and _ (at most 64 characters)";
