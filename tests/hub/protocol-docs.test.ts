import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { hashApiKey, hashApiKeyBytes } from "../../src/protocol/api-key";
import { connKeyInput, deriveConnKey } from "../../src/protocol/conn-key";
import { buildEnvelope } from "../../src/protocol/frame-codec";
import { signFrame, signingInput } from "../../src/protocol/signing";
import { protocolJsonSchemas } from "../../src/protocol/json-schemas";

const doc = readFileSync(join(process.cwd(), "docs/worker-protocol.md"), "utf8");
const field = (name: string) => {
  const m = new RegExp(`^${name}\\s+(.+)$`, "m").exec(doc);
  if (!m) throw new Error(`docs/worker-protocol.md has no "${name}" line in the worked example`);
  return m[1]!.trim();
};

describe("docs/worker-protocol.md", () => {
  it("the signing worked example is true (recomputed from the documented inputs)", () => {
    const apiKey = field("raw API key");
    const f = { type: field("type"), seq: Number(field("seq")), ts: Number(field("ts")), re: Number(field("re")), data: field("data") };
    expect(field("api_key_hash")).toBe(hashApiKey(apiKey));
    expect(JSON.parse(field("signing input"))).toBe(signingInput(f));
    expect(field("sig")).toBe(signFrame(hashApiKeyBytes(apiKey), f));
    // The envelope shown at the top of the Frames section carries the same signature.
    expect(doc).toContain(`"sig":"${signFrame(hashApiKeyBytes(apiKey), f)}"`);
  });

  it("the connection-key worked example is true (recomputed from the documented inputs)", () => {
    const K = hashApiKeyBytes(field("raw API key"));
    const nonce = field("conn_nonce");
    const session = field("session");
    expect(JSON.parse(field("key input"))).toBe(connKeyInput(nonce, session));
    const connKey = deriveConnKey(K, nonce, session);
    expect(field("K_conn")).toBe(connKey.toString("hex"));
    const heartbeat = { type: field("type"), seq: Number(field("seq")), ts: Number(field("ts")), re: Number(field("re")), data: field("data") };
    expect(field("heartbeat sig")).toBe(signFrame(connKey, heartbeat));
    expect(field("heartbeat sig")).not.toBe(signFrame(K, heartbeat));
  });

  it("docs/protocol-schemas/*.json match the schemas the hub validates with", () => {
    const dir = join(process.cwd(), "docs/protocol-schemas");
    const generated = protocolJsonSchemas();
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(Object.keys(generated).map((n) => `${n}.json`).sort());
    for (const [name, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")), `${name}.json is stale: run npx tsx scripts/write-protocol-schemas.ts`).toEqual(
        JSON.parse(JSON.stringify(schema)),
      );
    }
  });

  it("the published JSON Schemas accept real frames and refuse bad ones", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const schemas = protocolJsonSchemas();
    const check = (name: string, value: unknown) => ajv.validate(schemas[name]!, value);
    const key = hashApiKeyBytes("k".repeat(40));
    expect(check("envelope", buildEnvelope(key, { type: "heartbeat", seq: 1, payload: {} }))).toBe(true);
    expect(check("envelope", { v: 1, type: "x", seq: 0, ts: 1, re: 0, data: "", sig: "a".repeat(43) })).toBe(false);
    expect(check("worker.heartbeat", { status: "online", cpu_used: 1.5, mem_used: 2048, running_apps: 3 })).toBe(true);
    expect(check("worker.heartbeat", { status: "online", cpu_used: -1, mem_used: 2048, running_apps: 3 })).toBe(false);
    expect(check("worker.runtime_log", { lines: [{ app_id: 1, ts: "2026-11-22T07:00:00.123Z", stream: "stdout", line: "hi" }] })).toBe(true);
    expect(check("worker.runtime_log", { lines: [{ app_id: 1, ts: 1763798400123, stream: "stderr", line: "hi" }] })).toBe(true);
    expect(check("worker.job_result", { job_id: 1, status: "done" })).toBe(false);
    expect(check("hub.welcome", { worker_id: 3, server_time: Date.now() })).toBe(true);
    const token = "S2rM1H3xQyqL0d6o7n2Wc9p4VtE8bZaA5fJgUiKlYhs";
    expect(check("hub.welcome", { worker_id: 3, server_time: Date.now(), session: token, conn_nonce: token })).toBe(true);
    expect(check("hub.welcome", { worker_id: 3, server_time: Date.now(), session: "too-short" })).toBe(false);
  });

  it("restates every message type, error code and close code", () => {
    for (const t of ["welcome", "job", "error", "heartbeat", "app_stats", "job_status", "job_result", "app_status", "violation", "runtime_log", "build_log"]) {
      expect(doc).toContain(`\`${t}\``);
    }
    for (const c of ["bad_envelope", "bad_signature", "clock_skew", "unknown_type", "bad_payload", "forbidden", "rate_limited", "internal"]) {
      expect(doc).toContain(`\`${c}\``);
    }
    for (const code of ["1001", "1008", "1009", "1013", "4000", "4001"]) expect(doc).toContain(code);
  });
});
