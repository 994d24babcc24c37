import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postOnce } from "../../src/server/webhooks/http-post";
import { createGuardedAgent, isBlockedAddress, parseAllowCidrs, validateWebhookUrl } from "../../src/server/webhooks/ssrf-guard";
import { startDnsZone } from "./fixtures/dns-zone";
import { startReceiver } from "./fixtures/http-receiver";

let dns: Awaited<ReturnType<typeof startDnsZone>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  dns = await startDnsZone({ "public.test": ["93.184.216.34"], "inside.test": ["10.1.2.3"], "local.test": ["127.0.0.1"], "mixed.test": ["93.184.216.34", "192.168.1.1"] });
  receiver = await startReceiver();
});
afterAll(async () => {
  await dns.close();
  await receiver.close();
});

const post = (url: string, agent: ReturnType<typeof createGuardedAgent>, timeoutMs = 5_000) =>
  postOnce(url, { "content-type": "application/json" }, "{}", { dispatcher: agent, timeoutMs, maxReadBytes: 64 * 1024, maxStoredBytes: 4 * 1024 });

describe("isBlockedAddress", () => {
  it.each([
    "127.0.0.1", "::1", "169.254.169.254", "::ffff:a9fe:a9fe", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a9fe:a9fe",
    "100.64.0.1", "100.100.100.200", "10.0.0.1", "172.16.5.4", "192.168.0.1", "0.0.0.0", "fd00:ec2::254", "fe80::1",
    "2002:a9fe:a9fe::1", "2001:0:4136:e378::1", "224.0.0.1", "255.255.255.255", "198.18.0.1", "not-an-ip",
  ])("refuses %s", (ip) => expect(isBlockedAddress(ip)).toBe(true));

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])("allows public %s", (ip) => expect(isBlockedAddress(ip)).toBe(false));

  it("lets an explicit allow list through, and nothing else", () => {
    const allow = parseAllowCidrs("127.0.0.1/32");
    expect(isBlockedAddress("127.0.0.1", allow)).toBe(false);
    expect(isBlockedAddress("127.0.0.2", allow)).toBe(true);
  });
});

describe("validateWebhookUrl", () => {
  it.each([
    "http://127.0.0.1/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://100.64.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://inside.test/hook",
    "http://local.test/hook",
    "http://mixed.test/hook",
  ])("refuses %s", async (url) => {
    await expect(validateWebhookUrl(url, { resolve: dns.resolve })).rejects.toThrow(/not a public internet address/);
  });

  it("refuses other schemes and credentials with a message saying what to do", async () => {
    await expect(validateWebhookUrl("ftp://example.com/", { resolve: dns.resolve })).rejects.toThrow(/https:\/\/ or http:\/\//);
    await expect(validateWebhookUrl("https://u:p@public.test/", { resolve: dns.resolve })).rejects.toThrow(/credentials/);
    await expect(validateWebhookUrl("not a url", { resolve: dns.resolve })).rejects.toThrow(/full URL/);
  });

  it("accepts a name resolving to a public address", async () => {
    await expect(validateWebhookUrl("https://public.test/hook", { resolve: dns.resolve })).resolves.toBeInstanceOf(URL);
  });
});

describe("connect-time guard", () => {
  it("refuses a real loopback receiver by IP, by IPv6 and by a name resolving to it, before any byte is sent", async () => {
    const agent = createGuardedAgent({ resolve: dns.resolve });
    for (const url of [receiver.url(), `http://[::ffff:127.0.0.1]:${receiver.port}/hook`, `http://2130706433:${receiver.port}/hook`, `http://local.test:${receiver.port}/hook`]) {
      const res = await post(url, agent);
      expect(res.blocked, url).toBe(true);
      expect(res.status).toBeNull();
      expect(res.error).toMatch(/not a public internet address/);
    }
    expect(receiver.received).toHaveLength(0);
    await agent.close();
  });

  it("checks the address it connects to, so DNS rebinding after validation is refused", async () => {
    dns.zone["rebind.test"] = ["93.184.216.34"];
    await validateWebhookUrl(`http://rebind.test:${receiver.port}/hook`, { resolve: dns.resolve });
    dns.zone["rebind.test"] = ["127.0.0.1"];
    const agent = createGuardedAgent({ resolve: dns.resolve });
    const res = await post(`http://rebind.test:${receiver.port}/hook`, agent);
    expect(res.blocked).toBe(true);
    expect(receiver.received).toHaveLength(0);
    await agent.close();
  });
});

describe("hostile receivers (allowed on loopback for the test)", () => {
  const allowed = () => createGuardedAgent({ allowCidrs: "127.0.0.1/32" });

  it("does not follow a redirect to a metadata address", async () => {
    const redirector = await startReceiver((_r, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/iam" });
      res.end();
    });
    const agent = allowed();
    const res = await post(redirector.url(), agent);
    expect(res.status).toBe(302);
    expect(res.location).toBe("http://169.254.169.254/latest/meta-data/iam");
    expect(redirector.received).toHaveLength(1);
    await agent.close();
    await redirector.close();
  });

  it("aborts a receiver that never answers", async () => {
    const staller = await startReceiver(() => undefined);
    const agent = allowed();
    const res = await post(staller.url(), agent, 800);
    expect(res.status).toBeNull();
    expect(res.error).toMatch(/No response within 0.8 s/);
    expect(res.durationMs).toBeLessThan(5_000);
    await agent.close();
    await staller.close();
  });

  it("aborts a receiver that drips its body forever", async () => {
    const timers: NodeJS.Timeout[] = [];
    const dripper = await startReceiver((_r, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      timers.push(setInterval(() => res.write("."), 100));
    });
    const agent = allowed();
    const res = await post(dripper.url(), agent, 800);
    expect(res.error).toMatch(/aborted/);
    expect(res.durationMs).toBeLessThan(5_000);
    timers.forEach(clearInterval);
    await agent.close();
    await dripper.close();
  });

  it("stops reading a 10 MB response at the cap", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, "x");
    const flooder = await startReceiver((_r, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(big);
    });
    const agent = allowed();
    const res = await post(flooder.url(), agent);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeLessThanOrEqual(4 * 1024 + 20);
    expect(res.body).toMatch(/…\[truncated\]$/);
    await agent.close();
    await flooder.close();
  });
});
