import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postOnce } from "../../src/server/webhooks/http-post";
import { createGuardedAgent, isBlockedAddress, validateWebhookUrl } from "../../src/server/webhooks/ssrf-guard";
import { startReceiver } from "./fixtures/http-receiver";

// IPv6 spellings that embed an IPv4 address and that the address library calls plain unicast.
describe("IPv4 embedded in IPv6", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it.each([
    "::127.0.0.1", "::7f00:1", "::a9fe:a9fe", "::10.0.0.1", "::8.8.8.8",
    "2001:db8:1::5efe:7f00:1", "2a00:1450::200:5efe:a9fe:a9fe",
  ])("refuses %s", (address) => expect(isBlockedAddress(address)).toBe(true));

  it("still allows a public address with an ISATAP identifier around a public IPv4 address", () => {
    expect(isBlockedAddress("2a00:1450:4001::5efe:808:808")).toBe(false);
  });

  it("refuses webhook URLs written with them, and nothing reaches a loopback receiver", async () => {
    for (const url of ["http://[::127.0.0.1]/hook", "http://[::7f00:1]/hook"]) {
      await expect(validateWebhookUrl(url)).rejects.toThrow(/not a public internet address/);
    }
    const agent = createGuardedAgent();
    try {
      const result = await postOnce(`http://[::127.0.0.1]:${receiver.port}/hook`, { "content-type": "application/json" }, "{}", {
        dispatcher: agent,
        timeoutMs: 5_000,
        maxReadBytes: 1024,
        maxStoredBytes: 1024,
      });
      expect(result.blocked).toBe(true);
      expect(result.error).toMatch(/not a public internet address/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await agent.close();
    }
  });
});
