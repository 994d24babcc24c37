import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { isPlainJson, transformer } from "../../src/lib/trpc/transformer";

/** The dashboard's tRPC transformer (src/lib/trpc/transformer.ts) must put exactly superjson's bytes on the wire. */
const shared = { hostname: "a.example.test" };
const cyclic: Record<string, unknown> = { name: "loop" };
cyclic.self = cyclic;

const plain: [string, unknown][] = [
  ["null", null],
  ["a string", "hello"],
  ["a number", 42.5],
  ["booleans", [true, false]],
  ["an empty object", {}],
  ["an empty array", []],
  ["an app list row", [{ id: 1, name: "web", createdAt: "2026-12-04T18:56:39.549Z", currentDeployment: { id: 3, finishedAt: null }, domains: [{ hostname: "a.test", status: "verified" }], live: null }]],
  ["an object without a prototype", Object.assign(Object.create(null) as object, { a: 1 })],
];

const special: [string, unknown][] = [
  ["a date", { at: new Date("2026-12-04T00:00:00Z") }],
  ["undefined in an object", { a: undefined }],
  ["undefined in an array", [1, undefined]],
  ["a sparse array", [1, , 3]],
  ["NaN", { n: Number.NaN }],
  ["Infinity", [Number.POSITIVE_INFINITY]],
  ["minus zero", { z: -0 }],
  ["a bigint", { b: 10n }],
  ["a map", new Map([["a", 1]])],
  ["a set", { s: new Set([1]) }],
  ["a regular expression", /x/g],
  ["an error", new Error("boom")],
  ["a URL", new URL("https://example.test/")],
  ["a class instance", new (class Point { x = 1; })()],
  ["an object met twice", { first: shared, second: shared }],
  ["a cycle", cyclic],
  ["a symbol key", { [Symbol("k")]: 1 }],
];

describe("the tRPC transformer", () => {
  it.each(plain)("gives %s as is, as superjson would", (_, value) => {
    expect(isPlainJson(value)).toBe(true);
    expect(JSON.stringify(transformer.serialize(value))).toBe(JSON.stringify(superjson.serialize(value)));
  });

  it.each(special)("hands %s to superjson, and it comes back the same", (_, value) => {
    expect(isPlainJson(value)).toBe(false);
    const wire = transformer.serialize(value);
    expect(wire).toEqual(superjson.serialize(value));
    expect(transformer.deserialize(JSON.parse(JSON.stringify(wire)) as never)).toEqual(superjson.deserialize(JSON.parse(JSON.stringify(superjson.serialize(value))) as never));
  });

  it("finds a date deep inside a large answer", () => {
    const rows = Array.from({ length: 1_000 }, (_, id) => ({ id, deployment: { id, at: "2026-12-04T00:00:00Z" } }));
    expect(isPlainJson(rows)).toBe(true);
    (rows[999]!.deployment as { at: unknown }).at = new Date();
    expect(isPlainJson(rows)).toBe(false);
    expect(transformer.serialize(rows)).toEqual(superjson.serialize(rows));
  });
});
