import pino from "pino";
import { describe, expect, it } from "vitest";
import { REFRESH_SKEW_MS, TokenKeeper } from "../../src/agent/connection/token-keeper";
import { FatalAuthError, type WorkerIdentity } from "../../src/agent/connection/worker-identity";
import { eventually } from "./support/runtime-harness";

const silent = pino({ level: "silent" });

describe("token keeper", () => {
  it("refreshes the JWT 2 minutes before it expires", async () => {
    let calls = 0;
    const identity = {
      refresh: async () => {
        calls += 1;
        return { token: `t${calls}`, expiresAt: Date.now() + 15 * 60_000 };
      },
    } as unknown as WorkerIdentity;
    const keeper = new TokenKeeper(identity, silent);
    // Expires in 2 min + 1 s: due for refresh in about a second.
    keeper.start({ token: "t0", expiresAt: Date.now() + REFRESH_SKEW_MS + 1_000 });
    expect(await keeper.token()).toBe("t0");
    await eventually(() => calls === 1, 10_000, "scheduled refresh");
    expect(await keeper.token()).toBe("t1");
    expect(keeper.expiresAt! - Date.now()).toBeGreaterThan(14 * 60_000);
    keeper.stop();
  });

  it("refreshes first when asked for a token that is about to expire", async () => {
    const identity = { refresh: async () => ({ token: "fresh", expiresAt: Date.now() + 900_000 }) } as unknown as WorkerIdentity;
    const keeper = new TokenKeeper(identity, silent);
    keeper.start({ token: "stale", expiresAt: Date.now() + 30_000 });
    expect(await keeper.token()).toBe("fresh");
    keeper.stop();
  });

  it("reports a refused key as fatal instead of retrying forever", async () => {
    const identity = {
      refresh: async () => {
        throw new FatalAuthError("rotated");
      },
    } as unknown as WorkerIdentity;
    const keeper = new TokenKeeper(identity, silent);
    const fatal: string[] = [];
    keeper.onFatal = (reason) => fatal.push(reason);
    keeper.start({ token: "t0", expiresAt: Date.now() + REFRESH_SKEW_MS + 500 });
    await eventually(() => fatal.length === 1, 10_000, "fatal reported");
    expect(fatal[0]).toBe("rotated");
    keeper.stop();
  });
});
