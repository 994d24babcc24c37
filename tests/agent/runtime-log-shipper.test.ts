import { describe, expect, it } from "vitest";
import type { RuntimeLogLine } from "../../src/protocol/worker-messages";
import { RuntimeLogShipper } from "../../src/agent/reporting/runtime-log-shipper";
import { LogBudget } from "../../src/agent/reporting/log-budget";

function fakeLink() {
  const frames: Array<{ lines: RuntimeLogLine[] }> = [];
  return {
    frames,
    isOpen: true,
    send(type: string, payload: unknown) {
      if (!this.isOpen) return false;
      if (type === "runtime_log") frames.push(payload as { lines: RuntimeLogLine[] });
      return true;
    },
  };
}

describe("runtime log shipper", () => {
  it("batches lines one app per frame, cleaned, with RFC 3339 times", () => {
    const link = fakeLink();
    const shipper = new RuntimeLogShipper(link as never);
    shipper.add(1, "stdout", "\u001b[32mready\u001b[0m");
    shipper.add(2, "stderr", "oops\u0000");
    shipper.add(1, "stdout", "second");
    shipper.flush();
    expect(link.frames).toHaveLength(2);
    expect(link.frames[0]!.lines.map((l) => [l.app_id, l.line])).toEqual([[1, "ready"], [1, "second"]]);
    expect(link.frames[1]!.lines).toMatchObject([{ app_id: 2, stream: "stderr", line: "oops" }]);
    expect(Number.isNaN(Date.parse(link.frames[0]!.lines[0]!.ts))).toBe(false);
  });

  it("holds lines while the hub is away and sends them on reconnect", () => {
    const link = fakeLink();
    link.isOpen = false;
    const shipper = new RuntimeLogShipper(link as never);
    shipper.add(1, "stdout", "while offline");
    shipper.flush();
    expect(link.frames).toHaveLength(0);
    link.isOpen = true;
    shipper.flush();
    expect(link.frames[0]!.lines[0]!.line).toBe("while offline");
  });

  it("stays under the hub's byte budget and says how many lines it dropped", () => {
    const link = fakeLink();
    // The budget refills by this clock, not the machine's: a slow machine must not earn more bytes.
    let clock = 1_000_000;
    const shipper = new RuntimeLogShipper(link as never, new LogBudget(200 * 1024, 768 * 1024, () => clock));
    const line = "x".repeat(1000);
    for (let i = 0; i < 20_000; i++) shipper.add(1, "stdout", line);
    shipper.flush();
    const sentBytes = link.frames.flatMap((f) => f.lines).reduce((n, l) => n + Buffer.byteLength(l.line), 0);
    // Burst allowance is 768 KiB, below the hub's 1 MiB burst.
    expect(sentBytes).toBeLessThanOrEqual(768 * 1024);
    for (const f of link.frames) expect(f.lines.length).toBeLessThanOrEqual(5000);
    shipper.add(1, "stdout", "after the flood");
    // Nothing more goes out until the budget refills; then the next frame starts with the drop notice.
    const sent = link.frames.length;
    shipper.flush();
    expect(link.frames.length).toBe(sent);
    clock += 1_000;
    shipper.flush();
    expect(link.frames.length).toBeGreaterThan(sent);
    const refilled = link.frames.slice(sent).flatMap((f) => f.lines).reduce((n, l) => n + Buffer.byteLength(l.line), 0);
    expect(refilled).toBeLessThanOrEqual(200 * 1024);
    const all = link.frames.flatMap((f) => f.lines.map((l) => l.line));
    expect(all.some((l) => /\d+ log lines dropped/.test(l))).toBe(true);
  });
});
