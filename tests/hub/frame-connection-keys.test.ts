import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONN_NONCE_HEADER, deriveConnKey, newConnToken } from "../../src/protocol/conn-key";
import { encodeFrame } from "../../src/protocol/frame-codec";
import { verifyFrameSignature } from "../../src/protocol/signing";
import { seedApp, seedAssignedJob, seedUser, seedWorker, startHubFixture, type HubFixture, type SeededWorker } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

/** docs/worker-protocol.md, "Connection keys": a frame is valid on the connection it was signed for, only. */
describe("frame connection keys", () => {
  let fx: HubFixture;
  let w: SeededWorker;
  let appId: number;
  beforeAll(async () => {
    fx = await startHubFixture();
    w = await seedWorker(fx.tdb);
    appId = (await seedApp(fx.tdb, await seedUser(fx.tdb), w.id)).id;
  });
  afterAll(async () => {
    await fx.close();
  });

  const crashes = () => fx.tdb.db.appEvent.count({ where: { appId, kind: "crashed" } });
  /** An app_status frame as the worker signs it on this connection, kept by whoever captured it. */
  const crashedFrame = (worker: TestWorker, reason: string) => {
    const seq = ++worker.seq;
    return { seq, text: encodeFrame(worker.key, { type: "app_status", seq, payload: { app_id: appId, status: "crashed", reason } }) };
  };

  it("the welcome, signed with K, carries a session and echoes the nonce; later hub frames are signed with K_conn", async () => {
    // Assigned before the connection: the hub sends it right after the welcome.
    const { job } = await seedAssignedJob(fx, appId, w.id, { type: "stop", payload: null });
    const nonce = newConnToken();
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey, { connNonce: nonce });
    const welcome = worker.frames[0]!;
    expect(welcome).toMatchObject({ type: "welcome", seq: 1, data: { worker_id: w.id, conn_nonce: nonce, session: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) } });
    expect(verifyFrameSignature(worker.baseKey, welcome.envelope, welcome.envelope.sig)).toBe(true);
    const connKey = deriveConnKey(worker.baseKey, nonce, welcome.data.session);
    expect(worker.key.equals(connKey)).toBe(true);

    const frame = await worker.waitFor((f) => f.type === "job" && f.data.job_id === job.id);
    expect(verifyFrameSignature(connKey, frame.envelope, frame.envelope.sig)).toBe(true);
    expect(verifyFrameSignature(worker.baseKey, frame.envelope, frame.envelope.sig)).toBe(false);
    await fx.tdb.db.job.update({ where: { id: job.id }, data: { status: "completed" } });

    // A bound worker's frame signed with K instead of K_conn is refused.
    const seq = ++worker.seq;
    worker.sendRaw(encodeFrame(worker.baseKey, { type: "heartbeat", seq, payload: { status: "online", cpu_used: 1, mem_used: 1, running_apps: 0 } }));
    expect((await worker.errorFor(seq)).data.code).toBe("bad_signature");
    worker.close();
  });

  it("a worker frame captured on connection A is refused on connection B (fresh nonce, the same nonce, or a v1 connection)", async () => {
    const a = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const captured = crashedFrame(a, "captured on A");
    a.sendRaw(captured.text);
    await a.roundTrip();
    expect(a.errors().find((e) => e.re === captured.seq)).toBeUndefined();
    expect(await crashes()).toBe(1);
    a.close();

    for (const options of [{}, { connNonce: a.connNonce! }, { legacy: true }]) {
      const b = await TestWorker.connect(fx.url, w.apiKey, w.apiKey, options);
      b.seq = captured.seq + 10;
      b.sendRaw(captured.text);
      const refused = await b.errorFor(captured.seq);
      expect(refused.data.code).toBe("bad_signature");
      // B's own frames still work.
      const own = crashedFrame(b, "sent on B");
      b.sendRaw(own.text);
      await b.roundTrip();
      expect(b.errors().find((e) => e.re === own.seq)).toBeUndefined();
      b.close();
    }
    // One crash from A and one from each B; the replays added none.
    expect(await crashes()).toBe(4);
  });

  it("a v1 worker (no nonce) keeps K for every frame and gets no session", async () => {
    const worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey, { legacy: true });
    expect(worker.frames[0]!.data).toEqual({ worker_id: w.id, server_time: expect.any(Number) });
    expect(worker.key.equals(worker.baseKey)).toBe(true);
    const sent = worker.send("heartbeat", { status: "online", cpu_used: 1, mem_used: 1, running_apps: 0 });
    await worker.roundTrip();
    expect(worker.errors().find((e) => e.re === sent)).toBeUndefined();
    worker.close();
  });

  it("a malformed nonce is refused before the upgrade", async () => {
    for (const bad of ["short", "x".repeat(65), "not base64url!!not base64url!!"]) {
      const ws = new WebSocket(`${fx.url.replace(/^http/, "ws")}/v1/workers/ws`, { headers: { authorization: `Bearer ${w.apiKey}`, [CONN_NONCE_HEADER]: bad } });
      const status = await new Promise<number>((resolve, reject) => {
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("open", () => reject(new Error("upgraded")));
        ws.once("error", reject);
      });
      expect(status).toBe(400);
    }
  });
});
