import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signFrame } from "../../src/protocol/signing";
import { seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

type Expect = { code: string } | "drop";

describe("10,000 random and mutated frames from an authenticated worker", () => {
  let fx: HubFixture;
  beforeAll(async () => {
    // The 1008 close after 10 bad signatures is tested elsewhere; here every frame must be answered.
    fx = await startHubFixture({ connection: { badSignatureLimit: 1_000_000 } });
  });
  afterAll(async () => {
    await fx.close();
  });

  it("never crashes, answers each with the right code or drops it, and memory stays bounded", async () => {
    const w = await seedWorker(fx.tdb);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const rand = prng(42);
    const heapBefore = process.memoryUsage().heapUsed;
    const expected = new Map<number, Expect>();
    let unseq = 0; // frames whose seq cannot be read are answered with re 0
    let seq = 0;
    const signed = (type: string, data: string, over: { ts?: number; seq?: number } = {}) => {
      const f = { type, seq: over.seq ?? ++seq, ts: over.ts ?? Date.now(), re: 0, data };
      return { v: 1, ...f, sig: signFrame(t.key, f) };
    };
    for (let i = 0; i < 10_000; i++) {
      const kind = Math.floor(rand() * 8);
      if (kind === 0) {
        t.sendRaw(randomBytes(1 + Math.floor(rand() * 200)).toString("latin1"));
        unseq++;
      } else if (kind === 1) {
        const env = signed("heartbeat", "{}");
        const mutated: Record<string, unknown> = { ...env };
        const keys = ["v", "type", "ts", "re", "data", "sig"];
        mutated[keys[Math.floor(rand() * keys.length)]!] = rand() < 0.5 ? null : [1, { x: "y" }];
        t.sendRaw(JSON.stringify(mutated));
        expected.set(env.seq, { code: "bad_envelope" });
      } else if (kind === 2) {
        const env = signed("heartbeat", JSON.stringify({ status: "online", cpu_used: 1, mem_used: 1, running_apps: 0 }));
        const pos = Math.floor(rand() * env.data.length);
        env.data = env.data.slice(0, pos) + String.fromCharCode(33 + Math.floor(rand() * 90)) + env.data.slice(pos + 1);
        t.sendRaw(JSON.stringify(env));
        // A mutation that happens to leave data unchanged is still a valid frame.
        expected.set(env.seq, env.data === JSON.stringify({ status: "online", cpu_used: 1, mem_used: 1, running_apps: 0 }) ? "drop" : { code: "bad_signature" });
      } else if (kind === 3) {
        const env = signed("heartbeat", "{}", { ts: Date.now() + (rand() < 0.5 ? -1 : 1) * (400_000 + Math.floor(rand() * 1e9)) });
        t.sendRaw(JSON.stringify(env));
        expected.set(env.seq, { code: "clock_skew" });
      } else if (kind === 4) {
        const env = signed(`t${randomBytes(4).toString("hex")}`, "{}");
        t.sendRaw(JSON.stringify(env));
        expected.set(env.seq, { code: "unknown_type" });
      } else if (kind === 5) {
        const types = ["heartbeat", "app_stats", "job_status", "job_result", "app_status", "violation", "runtime_log", "build_log"];
        const junk = [JSON.stringify(randomBytes(8).toString("hex")), "[]", "{", JSON.stringify({ job_id: -1 }), JSON.stringify({ apps: "x" })][Math.floor(rand() * 5)]!;
        const env = signed(types[Math.floor(rand() * types.length)]!, junk);
        t.sendRaw(JSON.stringify(env));
        expected.set(env.seq, { code: "bad_payload" });
      } else if (kind === 6 && seq > 1) {
        // A replay of a seq already used on this connection.
        const old = 1 + Math.floor(rand() * Math.min(seq, 200));
        const env = signed("heartbeat", "{}", { seq: Math.max(1, seq - old) });
        t.sendRaw(JSON.stringify(env));
      } else {
        const env = signed("heartbeat", JSON.stringify({ status: "online", cpu_used: rand() * 4, mem_used: 10, running_apps: 0 }));
        t.sendRaw(JSON.stringify(env));
        expected.set(env.seq, "drop");
      }
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    t.seq = seq;
    await t.roundTrip(90_000);
    const answers = new Map<number, string[]>();
    for (const e of t.errors()) answers.set(e.re, [...(answers.get(e.re) ?? []), e.data.code]);
    expect(answers.get(0)?.filter((c) => c === "bad_envelope").length).toBe(unseq);
    for (const [s, exp] of expected) {
      if (exp === "drop") expect(answers.get(s), `seq ${s}`).toBeUndefined();
      else expect(answers.get(s)?.[0], `seq ${s}`).toBe(exp.code);
    }
    // The hub is alive, the connection still works, and memory did not run away.
    expect(t.closeCode).toBeUndefined();
    expect((await fetch(`${fx.url}/health`)).status).toBe(200);
    const hbSeq = t.send("heartbeat", { status: "online", cpu_used: 3.25, mem_used: 5, running_apps: 1 });
    await t.roundTrip();
    expect(t.errors().find((e) => e.re === hbSeq)).toBeUndefined();
    expect((await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).cpuUsed).toBe(3.25);
    t.frames.length = 0;
    global.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
    t.close();
  }, 120_000);
});
