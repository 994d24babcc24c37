import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer } from "./helpers/dns-server";
import { expectTrpcError, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

const REPO = "https://github.com/acme/shop.git";

describe("domains", () => {
  let h: AppHarness;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let owner: TestUser;
  let appId: number;

  beforeAll(async () => {
    dns = await startDnsServer();
    h = await startAppHarness({ DNS_RESOLVER: dns.address, DOMAIN_A_RECORDS: "203.0.113.10", PUBLIC_URL: "https://dash.wisehosting.example" });
    owner = await h.user("pro");
    appId = (await owner.caller.apps.create({ name: "domain-app", repoUrl: REPO })).app.id;
  });
  afterAll(async () => {
    await h.close();
    await dns.close();
  });

  it.each([
    ["a.com`) || Host(`x.com", /only letters/],
    ["evil.com\nHost(`x.com`)", /only letters/],
    ["*.com", /Wildcard/],
    ["*.example.com", /Wildcard/],
    ["my_site.example.com", /no underscores/],
    ["bücher.example", /punycode: xn--bcher-kva\.example/],
    ["exa mple.com", /only letters/],
    [`${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.eeeeeeeeee.com`, /at most 253/],
    [`${"a".repeat(64)}.com`, /at most 63/],
    ["127.0.0.1", /not an IP/],
    ["[::1]", /not an IP/],
    ["2001:db8::1", /not an IP/],
    ["localhost", /top-level domain/],
    ["-bad.example.com", /hyphen/],
    ["a..example.com", /empty labels/],
    ["xn--zz.example.com", /not valid punycode/],
    ["ab--cd.example.com", /reserved for punycode/],
    ["example.123", /all digits/],
    ["apps.test.example", /belongs to the platform/],
    ["shop.apps.test.example", /belongs to the platform/],
    ["dash.wisehosting.example", /belongs to the platform/],
    ["", /Enter a domain/],
  ])("refuses %j", async (hostname, message) => {
    await expectTrpcError(owner.caller.domains.create({ appId, hostname }), "BAD_REQUEST", message);
  });

  it("accepts punycode and normalises case and a trailing dot", async () => {
    const d = await owner.caller.domains.create({ appId, hostname: "XN--BCHER-KVA.Example." });
    expect(d.hostname).toBe("xn--bcher-kva.example");
    expect(d.status).toBe("pending");
    await owner.caller.domains.delete({ domainId: d.id });
  });

  it("shows the records to create and verifies against a real DNS server, storing failure reasons", async () => {
    const d = await owner.caller.domains.create({ appId, hostname: "www.shop-owner.example" });
    expect(d.records).toEqual([
      expect.objectContaining({ type: "TXT", name: "_wisehosting-challenge.www.shop-owner.example", value: expect.stringMatching(/^wh-verify-[0-9a-f]{32}$/) }),
      expect.objectContaining({ type: "CNAME", name: "www.shop-owner.example", value: "domain-app.apps.test.example" }),
      expect.objectContaining({ type: "A", name: "www.shop-owner.example", value: "203.0.113.10" }),
    ]);
    const token = d.records[0]!.value;

    const noTxt = await owner.caller.domains.verify({ domainId: d.id });
    expect(noTxt.ok).toBe(false);
    expect(noTxt.reason).toMatch(/No TXT record found at _wisehosting-challenge\.www\.shop-owner\.example/);
    let row = await h.tdb.db.domain.findUniqueOrThrow({ where: { id: d.id } });
    expect(row).toMatchObject({ status: "failed", lastError: noTxt.reason });
    expect(row.lastCheckedAt).not.toBeNull();

    dns.records.txt["_wisehosting-challenge.www.shop-owner.example"] = ["someone-elses-token"];
    expect((await owner.caller.domains.verify({ domainId: d.id })).reason).toMatch(/does not hold this domain's token/);

    dns.records.txt["_wisehosting-challenge.www.shop-owner.example"] = [token];
    expect((await owner.caller.domains.verify({ domainId: d.id })).reason).toMatch(/no CNAME .* and no A\/AAAA record/);

    dns.records.a["www.shop-owner.example"] = ["198.51.100.7"];
    expect((await owner.caller.domains.verify({ domainId: d.id })).reason).toMatch(/points at 198\.51\.100\.7, not at the platform/);

    delete dns.records.a["www.shop-owner.example"];
    dns.records.cname["www.shop-owner.example"] = "domain-app.apps.test.example";
    const ok = await owner.caller.domains.verify({ domainId: d.id });
    expect(ok).toMatchObject({ ok: true, reason: null });
    row = await h.tdb.db.domain.findUniqueOrThrow({ where: { id: d.id } });
    expect(row).toMatchObject({ status: "verified", lastError: null });
    expect(await h.tdb.db.auditEvent.count({ where: { userId: owner.id, kind: "domain_verify" } })).toBeGreaterThanOrEqual(5);
  });

  it("verifies an apex domain by its A record", async () => {
    const d = await owner.caller.domains.create({ appId, hostname: "apex-owner.example" });
    dns.records.txt["_wisehosting-challenge.apex-owner.example"] = [d.records[0]!.value];
    dns.records.a["apex-owner.example"] = ["203.0.113.10"];
    expect((await owner.caller.domains.verify({ domainId: d.id })).ok).toBe(true);
  });

  it("refuses a domain already claimed by another user (and by the same user on another app)", async () => {
    const other = await h.user("pro");
    const otherApp = (await other.caller.apps.create({ name: "other-domain-app", repoUrl: REPO })).app;
    await expectTrpcError(other.caller.domains.create({ appId: otherApp.id, hostname: "www.shop-owner.example" }), "CONFLICT", /another account/);
    const second = (await owner.caller.apps.create({ name: "second-domain-app", repoUrl: REPO })).app;
    await expectTrpcError(owner.caller.domains.create({ appId: second.id, hostname: "WWW.shop-owner.example" }), "CONFLICT", /already added to your app domain-app/);
  });

  it("lists per user and per app; verified domains go into the next deploy's payload; delete is audited", async () => {
    const all = await owner.caller.domains.list();
    expect(all.map((d) => d.hostname)).toEqual(["apex-owner.example", "www.shop-owner.example"]);
    const perApp = await owner.caller.domains.list({ appId });
    expect(perApp).toHaveLength(2);
    const d = await owner.caller.apps.deploy({ appId });
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { deploymentId: d.id } });
    const { cipherContext } = await import("../../src/server/crypto/secret-cipher");
    expect(JSON.parse(h.services.cipher.decrypt(job.payload, cipherContext.jobPayload(appId))).domains).toEqual(["apex-owner.example", "www.shop-owner.example"]);
    await owner.caller.domains.delete({ domainId: all[0]!.id });
    expect(await owner.caller.domains.list()).toHaveLength(1);
    expect(await h.tdb.db.auditEvent.count({ where: { userId: owner.id, kind: "domain_delete" } })).toBeGreaterThanOrEqual(1);
  });
});
