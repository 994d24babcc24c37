import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES } from "../../src/server/public-api/routes";
import { startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { api } from "./helpers/api-client";

/** /api/v1/openapi.json: a valid OpenAPI 3.1 document, served without a token, listing every route. */
describe("OpenAPI document", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => h.close());

  it("is valid OpenAPI 3.1 and lists every route with its parameters, errors and scope", async () => {
    const res = await api<{ openapi: string; paths: Record<string, Record<string, { operationId: string; description: string; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>; servers: { url: string }[] }>(h, null, "GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]!.url).toBe("http://127.0.0.1:3999/api/v1");
    const result = await new Validator().validate(structuredClone(doc) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);

    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    expect(listed).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of API_ROUTES) {
      const op = doc.paths[r.path]![r.method.toLowerCase()]!;
      expect(op.operationId).toBe(r.operationId);
      expect(op.description).toMatch(/^Scope: `/);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "401", "403", "429"]));
      for (const name of r.path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
        expect(op.parameters?.some((p) => p.in === "path" && p.name === name), `${r.path} documents ${name}`).toBe(true);
      }
    }
  });
});
