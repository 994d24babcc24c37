import { describe, expect, it } from "vitest";
import { PlanRegistry } from "../../src/server/plans/plans";

describe("plans registry", () => {
  it("has the free, pro and business plans", () => {
    const plans = new PlanRegistry();
    expect(plans.all().map((p) => p.id)).toEqual(["free", "pro", "business"]);
    expect(plans.for("free")).toMatchObject({ maxApps: 1, cpu: 1, memoryMb: 512, diskMb: 1024, bandwidthMbit: 10 });
    expect(plans.for("pro")).toMatchObject({ maxApps: 5, cpu: 2, memoryMb: 2048, diskMb: 10240, bandwidthMbit: 100 });
    expect(plans.for("business")).toMatchObject({ maxApps: 0, cpu: 4, memoryMb: 8192, diskMb: 51200, bandwidthMbit: 0 });
  });

  it("falls back to free for an unknown or missing plan", () => {
    const plans = new PlanRegistry();
    expect(plans.for("platinum").id).toBe("free");
    expect(plans.for(undefined).id).toBe("free");
  });

  it("applies overrides and adds new plans from PLANS_JSON", () => {
    const plans = PlanRegistry.fromJson(
      JSON.stringify([{ id: "free", maxApps: 3 }, { id: "team", name: "Team", maxApps: 20, cpu: 2 }]),
    );
    expect(plans.for("free").maxApps).toBe(3);
    expect(plans.for("free").memoryMb).toBe(512);
    expect(plans.for("team")).toMatchObject({ name: "Team", maxApps: 20, cpu: 2 });
  });

  it("refuses malformed overrides with the failing field named", () => {
    expect(() => PlanRegistry.fromJson(JSON.stringify([{ id: "free", maxApps: -1 }]))).toThrow(/PLANS_JSON: 0\.maxApps/);
  });
});
