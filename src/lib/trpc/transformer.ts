import superjson from "superjson";

/**
 * tRPC's transformer for the dashboard's API (src/server/trpc/trpc.ts, src/lib/trpc/client.tsx):
 * superjson on the wire, with a fast path for answers that are plain JSON already.
 *
 * superjson walks every value of an answer to record dates, maps, undefined and shared
 * references, and that walk is most of its cost: for apps.list with 1,000 apps it took 21 ms
 * where `JSON.stringify` took 1.4 ms (bench/web.bench.ts, docs/performance.md). When a value holds
 * nothing superjson would record, its output is `{ json: value }` with no `meta`, so that is
 * given at once after a cheaper check. Anything else goes through superjson unchanged, so the
 * wire format is superjson's in every case and `deserialize` is superjson's own.
 */
export const transformer = {
  serialize(value: unknown) {
    return isPlainJson(value) ? { json: value } : superjson.serialize(value);
  },
  deserialize: superjson.deserialize.bind(superjson) as typeof superjson.deserialize,
};

/**
 * True when superjson would record nothing for `value`: only strings, booleans, null, finite
 * numbers other than -0, arrays and plain objects, and no object met twice (superjson records
 * shared references and cycles).
 */
export function isPlainJson(value: unknown): boolean {
  const seen = new Set<object>();
  const plain = (v: unknown): boolean => {
    if (v === null) return true;
    switch (typeof v) {
      case "string":
      case "boolean":
        return true;
      case "number":
        return Number.isFinite(v) && !Object.is(v, -0);
      case "object":
        break;
      default:
        // undefined, bigint, symbol, function
        return false;
    }
    const obj = v as object;
    if (seen.has(obj)) return false;
    seen.add(obj);
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) if (!(i in obj) || !plain(obj[i])) return false;
      return true;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    if (Object.getOwnPropertySymbols(obj).length > 0) return false;
    for (const key in obj) {
      if (!plain((obj as Record<string, unknown>)[key])) return false;
    }
    return true;
  };
  return plain(value);
}
