/** A JSON cache in front of hot lookups. Every method degrades to a miss. */
export interface JsonCache {
  get<T>(key: string): Promise<T | undefined>;
  /** ttlSeconds ≤ 0 or absent → the default TTL (5 minutes). */
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every key starting with the prefix (e.g. `user:123:`). */
  deletePrefix(prefix: string): Promise<void>;
  /** Deletes keys matching a Redis-style glob; a literal key is a plain delete. */
  deleteByPattern(pattern: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_CACHE_TTL_SECONDS = 300;

/** True when the pattern has glob metacharacters. */
export function isGlob(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

/** Escapes glob metacharacters so a prefix can be used in a SCAN MATCH pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Converts a Redis glob (`*`, `?`, `[abc]`, `\x`) to a RegExp for the in-process cache. */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    else if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) out += "\\[";
      else {
        out += `[${pattern.slice(i + 1, end).replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}
