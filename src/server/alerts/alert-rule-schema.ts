// zod/mini: the alert rule editor validates with this schema in the browser, and classic zod's API
// put the Monitoring tab's first load over 200 KiB (bench:web, docs/performance.md). The router's
// input (alerts-service.ts) nests the same schema, so both sides refuse the same edits.
import { z } from "zod/mini";

export const ALERT_METRICS = ["cpu", "memory", "network", "disk", "offline"] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** What a threshold means per metric, its allowed range and the default rule. */
export const METRIC_SPECS: Record<AlertMetric, { unit: string; label: string; min: number; max: number; threshold: number; sustainMinutes: number; enabled: boolean }> = {
  cpu: { unit: "%", label: "CPU", min: 1, max: 100, threshold: 90, sustainMinutes: 5, enabled: true },
  memory: { unit: "%", label: "Memory", min: 1, max: 100, threshold: 90, sustainMinutes: 5, enabled: true },
  network: { unit: "Mbps", label: "Network", min: 0.1, max: 100_000, threshold: 100, sustainMinutes: 5, enabled: false },
  disk: { unit: "MB/s", label: "Disk I/O", min: 0.1, max: 100_000, threshold: 50, sustainMinutes: 10, enabled: false },
  offline: { unit: "min", label: "Offline", min: 1, max: 1_440, threshold: 3, sustainMinutes: 1, enabled: true },
};

export const SUSTAIN_RANGE = { min: 1, max: 120 } as const;

/** One rule edit, with per-metric threshold ranges and messages that say what is allowed. */
export const ruleUpdateSchema = z
  .object({
    metric: z.enum(ALERT_METRICS),
    // zod 4's number refuses NaN and ±Infinity, so an empty or non-numeric field lands here.
    threshold: z.number({ error: "Enter a number." }),
    sustainMinutes: z
      .int({ error: "Enter whole minutes." })
      .check(
        z.minimum(SUSTAIN_RANGE.min, { error: `Sustain must be at least ${SUSTAIN_RANGE.min} minute.` }),
        z.maximum(SUSTAIN_RANGE.max, { error: `Sustain can be at most ${SUSTAIN_RANGE.max} minutes.` }),
      ),
    enabled: z.boolean(),
  })
  .check(
    z.superRefine((rule, ctx) => {
      const spec = METRIC_SPECS[rule.metric];
      if (rule.threshold < spec.min || rule.threshold > spec.max) {
        ctx.addIssue({
          code: "custom",
          path: ["threshold"],
          message: `${spec.label} threshold must be between ${spec.min} and ${spec.max} ${spec.unit}.`,
        });
      }
    }),
  );
