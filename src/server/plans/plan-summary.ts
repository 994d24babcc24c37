import type { Plan } from "./plans";

/** A plan's limits as the dashboard shows them: what an app runs with, and what its builds get. */
export function planSummary(plan: Plan) {
  return {
    id: plan.id,
    name: plan.name,
    maxApps: plan.maxApps,
    cpu: plan.cpu,
    memoryMb: plan.memoryMb,
    build: { cpu: plan.buildCpu, memoryMb: plan.buildMemoryMb, timeoutSeconds: plan.buildTimeoutSeconds },
  };
}
export type PlanSummary = ReturnType<typeof planSummary>;

