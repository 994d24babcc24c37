import { z } from "zod";
import { nonNegative } from "./fields";

/**
 * How one app runs on its worker, as the worker tells it in `job_result.runtime` after a
 * successful deploy, start or restart (docs/worker-protocol.md, "Worker → hub"). The hub stores
 * it (src/server/worker-reports/runtime-report.ts) and the dashboard's Runtime card shows it, so
 * a user sees whether the app is isolated and which limits really hold.
 */

/** Who enforces a limit: the container engine (cgroups), the agent by measuring and stopping, or nobody. */
export const enforcementSchema = z.enum(["engine", "agent", "none"]);
export type Enforcement = z.infer<typeof enforcementSchema>;

const limit = <T extends z.ZodType>(value: T) => z.object({ value, enforced_by: enforcementSchema });

export const runtimeReportSchema = z.object({
  kind: z.enum(["container", "process"]),
  /** The container engine and its version ("podman 4.3.1"); absent for the process runtime. */
  engine: z.string().max(200).optional(),
  /** Image reference the container runs (tag); absent for the process runtime. */
  image: z.string().max(512).optional(),
  image_size_bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** The app's plan limits as this worker applies them. */
  limits: z.object({
    memory_mb: limit(z.number().int().min(0)),
    cpu: limit(nonNegative),
    pids: limit(z.number().int().min(0)),
    disk_mb: limit(z.number().int().min(0)),
  }),
  /** What the build ran with (absent when the deploy reused an image and nothing was built). */
  build_limits: z
    .object({
      memory_mb: z.number().int().min(0),
      cpu: nonNegative,
      timeout_seconds: z.number().int().min(0),
    })
    .optional(),
  /** The health check the new release had to pass before it got traffic. */
  health_check: z.object({
    path: z.string().max(1024),
    timeout_seconds: z.number().int().min(0).max(86_400),
  }),
  /** Set when the app is not isolated from the worker: what that means and what to install. */
  isolation_note: z.string().max(2000).optional(),
});
export type RuntimeReport = z.infer<typeof runtimeReportSchema>;
