import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashApiKeyBytes } from "../../src/protocol/api-key";
import { connKeyInput, deriveConnKey, newConnToken } from "../../src/protocol/conn-key";
import { envelopeSchema } from "../../src/protocol/envelope";
import { encodeFrame } from "../../src/protocol/frame-codec";
import { HubFrameVerifier as InboundVerifier } from "../../src/protocol/hub-frame-verifier";
import { SeqWindow } from "../../src/protocol/seq-window";
import { hasValidSignature, signFrame, signingInput } from "./support/frame-parts";

/**
 * Test vectors for docs/worker-protocol.md, "Frames": K = SHA-256(raw API key) as raw bytes,
 * sig = base64url(HMAC-SHA256(K, "v1\n" + type + "\n" + seq + "\n" + ts + "\n" + re + "\n" + data)).
 */
const API_KEY = "wisehosting-test-api-key-0123456789abcdef";
const K = hashApiKeyBytes(API_KEY);
const HEARTBEAT_DATA = '{"status":"online","cpu_used":1.5,"mem_used":2048,"running_apps":3}';
const VECTORS = [
  { type: "heartbeat", seq: 17, ts: 1763798400123, re: 0, data: HEARTBEAT_DATA, sig: "gmg-z-PRrBPKOx05s4w4yEedO2yIU9vg22KShQSqPMg" },
  {
    type: "welcome",
    seq: 1,
    ts: 1763798400000,
    re: 0,
    data: '{"worker_id":7,"server_time":"2025-11-22T08:00:00.000Z"}',
    sig: "1eTOJE0nvIvcjFmE7wvFAvmvGE1hK143Ws1v6QRRcrg",
  },
];

function hubFrame(key: Buffer, type: string, seq: number, payload: unknown, ts = Date.now(), re = 0): string {
  return encodeFrame(key, { type, seq, ts, re, payload });
}

describe("frame codec (docs/worker-protocol.md test vectors)", () => {
  it("reproduces the worked example of docs/worker-protocol.md", () => {
    const key = hashApiKeyBytes("wh-example-api-key-0123456789abcdef0123456789");
    expect(key.toString("hex")).toBe("af841e18303c85749b104354e991f11e11661f9cb84e91d2222d355789f0fa98");
    expect(signFrame(key, "heartbeat", 17, 1763798400123, 0, HEARTBEAT_DATA)).toBe("jjz_ImYgJfBlUSQgO3uboScdgn3UuiCspb0xXuyst7g");
  });

  it("signs the vectors exactly", () => {
    for (const v of VECTORS) expect(signFrame(K, v.type, v.seq, v.ts, v.re, v.data)).toBe(v.sig);
  });

  it("matches an independent HMAC over the documented signing string", () => {
    const v = VECTORS[0]!;
    expect(signingInput(v.type, v.seq, v.ts, v.re, v.data)).toBe(`v1\nheartbeat\n17\n1763798400123\n0\n${HEARTBEAT_DATA}`);
    const independent = createHmac("sha256", Buffer.from(createHmacKeyHex(API_KEY), "hex")).update(signingInput(v.type, v.seq, v.ts, v.re, v.data)).digest("base64url");
    expect(independent).toBe(v.sig);
    expect(v.sig).not.toMatch(/[=+/]/);
  });

  it("encodes an envelope whose data is the JSON payload as a string", () => {
    const text = encodeFrame(K, { type: "heartbeat", seq: 17, ts: 1763798400123, re: 0, payload: JSON.parse(HEARTBEAT_DATA) });
    const env = envelopeSchema.parse(JSON.parse(text));
    expect(env).toEqual({ v: 1, type: "heartbeat", seq: 17, ts: 1763798400123, re: 0, data: HEARTBEAT_DATA, sig: VECTORS[0]!.sig });
    expect(hasValidSignature(K, env)).toBe(true);
    expect(hasValidSignature(K, { ...env, data: env.data.replace("1.5", "9.5") })).toBe(false);
    expect(hasValidSignature(K, { ...env, seq: 18 })).toBe(false);
    expect(hasValidSignature(hashApiKeyBytes("another-key-another-key-another-key"), env)).toBe(false);
  });
});

function createHmacKeyHex(key: string): string {
  // The hub's view: K recovered from the stored api_key_hash (hex).
  return hashApiKeyBytes(key).toString("hex");
}

describe("seq window", () => {
  it("drops duplicates and anything below the last 256", () => {
    const w = new SeqWindow(256);
    expect(w.accept(1)).toBe(true);
    expect(w.accept(1)).toBe(false);
    expect(w.accept(3)).toBe(true);
    expect(w.accept(2)).toBe(true);
    expect(w.accept(2)).toBe(false);
    for (let s = 4; s <= 1000; s++) expect(w.accept(s)).toBe(true);
    expect(w.accept(744)).toBe(false);
    expect(w.accept(745)).toBe(false);
    expect(w.accept(1001)).toBe(true);
    expect(w.replayCount).toBe(4);
  });
});

describe("inbound verifier: every hub frame is checked in docs/worker-protocol.md order", () => {
  const job = {
    job_id: 5,
    type: "stop",
    app_id: 9,
    app_uuid: "u",
    app_name: "a",
    deployment_id: null,
    payload: null,
  };

  it("accepts a well-signed welcome and job", () => {
    const v = new InboundVerifier(K);
    expect(v.verify(hubFrame(K, "welcome", 1, { worker_id: 3, server_time: new Date().toISOString() }))).toMatchObject({ kind: "accept", message: { type: "welcome" } });
    expect(v.verify(hubFrame(K, "job", 2, job))).toMatchObject({ kind: "accept", message: { type: "job", seq: 2, data: { job_id: 5 } } });
  });

  it("rejects a tampered frame with bad_signature and answers it", () => {
    const v = new InboundVerifier(K);
    const env = JSON.parse(hubFrame(K, "job", 1, job));
    env.data = env.data.replace('"stop"', '"delete"');
    expect(v.verify(JSON.stringify(env))).toMatchObject({ kind: "reject", code: "bad_signature", re: 1, answer: true });
    // Signed with someone else's key.
    expect(v.verify(hubFrame(hashApiKeyBytes("x".repeat(40)), "job", 2, job))).toMatchObject({ kind: "reject", code: "bad_signature" });
  });

  it("never answers an error frame with an error (no ping-pong)", () => {
    const v = new InboundVerifier(K);
    const env = JSON.parse(hubFrame(K, "error", 1, { code: "bad_payload", message: "x" }));
    env.sig = env.sig.slice(0, -2) + (env.sig.endsWith("AA") ? "BB" : "AA");
    expect(v.verify(JSON.stringify(env))).toMatchObject({ kind: "reject", code: "bad_signature", answer: false });
  });

  it("rejects bad envelopes, clock skew, unknown types and bad payloads; drops replays silently", () => {
    const now = 1_800_000_000_000;
    const v = new InboundVerifier(K, () => now);
    expect(v.verify("not json")).toMatchObject({ kind: "reject", code: "bad_envelope" });
    expect(v.verify(JSON.stringify({ v: 2, type: "job", seq: 4 }))).toMatchObject({ kind: "reject", code: "bad_envelope", re: 4 });
    expect(v.verify(hubFrame(K, "job", 1, job, now - 300_001))).toMatchObject({ kind: "reject", code: "clock_skew" });
    expect(v.verify(hubFrame(K, "job", 2, job, now + 299_000))).toMatchObject({ kind: "accept" });
    expect(v.verify(hubFrame(K, "job", 2, job, now))).toEqual({ kind: "replay", seq: 2 });
    expect(v.verify(hubFrame(K, "reboot", 3, {}, now))).toMatchObject({ kind: "reject", code: "unknown_type", re: 3 });
    expect(v.verify(hubFrame(K, "job", 4, { ...job, type: "format-disk" }, now))).toMatchObject({ kind: "reject", code: "bad_payload", re: 4 });
    expect(v.replayCount).toBe(1);
  });

  it("flags frames over 1 MiB before parsing them", () => {
    const v = new InboundVerifier(K);
    expect(v.verify("x".repeat(1024 * 1024 + 1))).toMatchObject({ kind: "too_large" });
  });
});

describe("connection keys (docs/worker-protocol.md): hub frames are bound to the connection they were sent on", () => {
  const job = { job_id: 5, type: "stop", app_id: 9, app_uuid: "u", app_name: "a", deployment_id: null, payload: null };
  /** What a hub sends on one connection: the welcome signed with K, then frames signed with K_conn. */
  function hubConnection(connNonce: string) {
    const session = newConnToken();
    const connKey = deriveConnKey(K, connNonce, session);
    return {
      session,
      connKey,
      welcome: hubFrame(K, "welcome", 1, { worker_id: 3, server_time: Date.now(), session, conn_nonce: connNonce }),
      job: (seq: number) => hubFrame(connKey, "job", seq, job),
    };
  }

  it("K_conn is HMAC-SHA256(K, \"wh-conn-v1\\n\" + conn_nonce + \"\\n\" + session)", () => {
    expect(connKeyInput("n".repeat(22), "s".repeat(22))).toBe(`wh-conn-v1\n${"n".repeat(22)}\n${"s".repeat(22)}`);
    const independent = createHmac("sha256", K).update(`wh-conn-v1\nnonce-nonce-nonce-nonce\nsession-session-session`).digest();
    expect(deriveConnKey(K, "nonce-nonce-nonce-nonce", "session-session-session").equals(independent)).toBe(true);
  });

  it("binds on the welcome: later frames verify with K_conn only, and sendKey is K_conn", () => {
    const nonce = newConnToken();
    const hub = hubConnection(nonce);
    const v = new InboundVerifier(K, Date.now, nonce);
    expect(v.sendKey).toBeNull();
    expect(v.verify(hub.welcome)).toMatchObject({ kind: "accept", message: { type: "welcome", data: { session: hub.session } } });
    expect(v.sendKey!.equals(hub.connKey)).toBe(true);
    expect(v.verify(hub.job(2))).toMatchObject({ kind: "accept", message: { type: "job" } });
    expect(v.verify(hubFrame(K, "job", 3, job))).toMatchObject({ kind: "reject", code: "bad_signature", re: 3 });
  });

  it("a hub frame captured on connection A is refused on connection B, and so is A's welcome", () => {
    const nonceA = newConnToken();
    const a = hubConnection(nonceA);
    const onA = new InboundVerifier(K, Date.now, nonceA);
    expect(onA.verify(a.welcome).kind).toBe("accept");
    const captured = a.job(2);
    expect(onA.verify(captured).kind).toBe("accept");

    const nonceB = newConnToken();
    const onB = new InboundVerifier(K, Date.now, nonceB);
    expect(onB.verify(a.welcome)).toMatchObject({ kind: "unbound", reason: expect.stringMatching(/another connection/) });
    const b = hubConnection(nonceB);
    const fresh = new InboundVerifier(K, Date.now, nonceB);
    expect(fresh.verify(b.welcome).kind).toBe("accept");
    expect(fresh.verify(captured)).toMatchObject({ kind: "reject", code: "bad_signature", re: 2 });
    expect(fresh.verify(b.job(2)).kind).toBe("accept");
  });

  it("refuses to run unbound: a frame before the welcome, or a welcome without a session (a v1 hub or a downgrade)", () => {
    const nonce = newConnToken();
    expect(new InboundVerifier(K, Date.now, nonce).verify(hubFrame(K, "job", 1, job))).toMatchObject({ kind: "unbound", reason: expect.stringMatching(/before welcome/) });
    const v1Welcome = hubFrame(K, "welcome", 1, { worker_id: 3, server_time: Date.now() });
    expect(new InboundVerifier(K, Date.now, nonce).verify(v1Welcome)).toMatchObject({ kind: "unbound", reason: expect.stringMatching(/no session/) });
    // A verifier without a nonce is a v1 worker's: K for everything, sendKey K from the start.
    const legacy = new InboundVerifier(K);
    expect(legacy.sendKey!.equals(K)).toBe(true);
    expect(legacy.verify(v1Welcome).kind).toBe("accept");
  });
});
