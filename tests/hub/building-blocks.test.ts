import { describe, expect, it } from "vitest";
import { LiveStatsStore } from "../../src/server/stats/live-stats-store";
import { buildHostRule, internalPortFrom, isRenderableHostname, safeRouterName } from "../../src/server/traefik/rule-parts";
import { capHeadTail, capUtf8, stripAnsi, TRUNCATION_MARKER } from "../../src/server/worker-reports/log-text";
import { SeqWindow } from "../../src/protocol/seq-window";
import { TokenBucket } from "../../src/ws-hub/ws/token-bucket";

describe("SeqWindow", () => {
  it("accepts new seqs in any order inside the window and refuses duplicates and seqs below it", () => {
    const w = new SeqWindow(256);
    expect(w.accept(1)).toBe(true);
    expect(w.accept(1)).toBe(false);
    expect(w.accept(3)).toBe(true);
    expect(w.accept(2)).toBe(true);
    expect(w.accept(1000)).toBe(true);
    expect(w.accept(745)).toBe(true); // 1000 - 255 is the floor
    expect(w.accept(744)).toBe(false);
    expect(w.accept(745)).toBe(false);
    for (let s = 1001; s < 5000; s++) expect(w.accept(s)).toBe(true);
    expect(w.accept(4999)).toBe(false);
  });
});

describe("TokenBucket", () => {
  it("allows the burst, then the sustained rate, and takes nothing for a refused request", () => {
    const b = new TokenBucket(256 * 1024, 1024 * 1024, 0);
    expect(b.take(1024 * 1024, 0)).toBe(true);
    expect(b.take(1, 0)).toBe(false);
    expect(b.take(128 * 1024, 500)).toBe(true);
    expect(b.take(1024, 500)).toBe(false);
    expect(b.take(256 * 1024, 1500)).toBe(true);
    expect(b.take(2 * 1024 * 1024, 100_000)).toBe(false); // larger than the burst can ever be
    expect(b.take(1024 * 1024, 100_000)).toBe(true);
  });
});

describe("log text", () => {
  it("strips ANSI CSI/OSC escapes and NUL bytes", () => {
    expect(stripAnsi("\u001b[1;31mred\u001b[0m \u001b]0;title\u0007ok\u0000")).toBe("red ok");
  });
  it("caps lines at a byte length without splitting characters", () => {
    expect(capUtf8("abc", 8)).toBe("abc");
    expect(capUtf8("ééé", 5)).toBe("éé");
    expect(Buffer.byteLength(capUtf8("😀".repeat(3000), 8192))).toBeLessThanOrEqual(8192);
  });
  it("keeps head and tail around the marker when over the cap", () => {
    const s = "A".repeat(100) + "B".repeat(100);
    const capped = capHeadTail(s, 100);
    expect(capped.length).toBeLessThanOrEqual(100);
    expect(capped.startsWith("AAA")).toBe(true);
    expect(capped.endsWith("BBB")).toBe(true);
    expect(capped).toContain(TRUNCATION_MARKER);
    expect(capHeadTail("short", 100)).toBe("short");
  });
});

describe("LiveStatsStore", () => {
  it("returns fresh snapshots, forgets stale ones, and never lets an older snapshot overwrite a newer one", () => {
    let now = 1_000_000;
    const store = new LiveStatsStore(45_000, () => now);
    const snap = (appId: number, updatedAt: number, cpuPct: number) => ({ appId, workerId: 1, cpuPct, memBytes: 0, memLimit: 0, netMbps: 0, netTotalBytes: 0, diskMbps: 0, updatedAt });
    store.put([snap(1, now, 10), snap(2, now - 50_000, 20)]);
    expect(store.get(1)?.cpuPct).toBe(10);
    expect(store.get(2)).toBeUndefined();
    store.put([snap(1, now - 1000, 99)]);
    expect(store.get(1)?.cpuPct).toBe(10);
    now += 46_000;
    expect(store.get(1)).toBeUndefined();
    expect(store.all()).toEqual([]);
  });
});

describe("Traefik rule parts", () => {
  it("renders only valid host names, and names without @", () => {
    expect(isRenderableHostname("shop.example.org")).toBe(true);
    expect(isRenderableHostname("xn--bcher-kva.example")).toBe(true);
    for (const bad of ["", "localhost", "a`) || Host(`b.org", "a b.org", "*.example.org", "1.2.3.4", "-a.org", "a..org", "UPPER.org", `${"a".repeat(64)}.org`]) {
      expect(isRenderableHostname(bad), bad).toBe(false);
    }
    expect(buildHostRule(["a.org", "b.org"])).toBe("Host(`a.org`) || Host(`b.org`)");
    expect(safeRouterName("app-1-My@App_name")).toBe("app-1-my-app-name");
    expect(internalPortFrom("5173", 8080)).toBe(5173);
    expect(internalPortFrom("99999", 8080)).toBe(8080);
    expect(internalPortFrom("80abc", 3000)).toBe(3000);
    expect(internalPortFrom(undefined, 8080)).toBe(8080);
  });
});
