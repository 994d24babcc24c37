import { z } from "zod";

const MiB = 1;
const GiB = 1024 * MiB;

export const planSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  /** 0 means unlimited. */
  maxApps: z.number().int().min(0),
  cpu: z.number().positive(),
  /** MiB */
  memoryMb: z.number().int().positive(),
  /** MiB */
  diskMb: z.number().int().positive(),
  /** Mbit/s; 0 means unlimited. */
  bandwidthMbit: z.number().min(0),
  pids: z.number().int().positive(),
  /** Builds get their own limits: installing and building needs more than many apps need to run. */
  buildCpu: z.number().positive(),
  /** MiB */
  buildMemoryMb: z.number().int().positive(),
  /** The whole build (clone, install, build). */
  buildTimeoutSeconds: z.number().int().positive(),
});
export type Plan = z.infer<typeof planSchema>;

const MINUTES = 60;

// Build limits: a default create-next-app `next build` peaks near 700 MB resident, more than the
// free plan's runtime memory. Build time stays within the control plane's stuck-job timeout
// (src/server/jobs/recover-stuck-jobs.ts), which a deploy must finish inside.
const DEFAULT_PLANS: Plan[] = [
  { id: "free", name: "Free", maxApps: 1, cpu: 1, memoryMb: 512 * MiB, diskMb: 1 * GiB, bandwidthMbit: 10, pids: 256, buildCpu: 2, buildMemoryMb: 2 * GiB, buildTimeoutSeconds: 15 * MINUTES },
  { id: "pro", name: "Pro", maxApps: 5, cpu: 2, memoryMb: 2 * GiB, diskMb: 10 * GiB, bandwidthMbit: 100, pids: 1024, buildCpu: 2, buildMemoryMb: 4 * GiB, buildTimeoutSeconds: 15 * MINUTES },
  { id: "business", name: "Business", maxApps: 0, cpu: 4, memoryMb: 8 * GiB, diskMb: 50 * GiB, bandwidthMbit: 0, pids: 4096, buildCpu: 4, buildMemoryMb: 8 * GiB, buildTimeoutSeconds: 15 * MINUTES },
];

/** Overrides: a JSON array of partial plans keyed by id (PLANS_JSON); new ids add plans. */
export const planOverridesSchema = z.array(planSchema.partial().extend({ id: z.string().regex(/^[a-z0-9-]+$/) }));

/** The plan registry: free/pro/business, overridable by configuration. */
export class PlanRegistry {
  private readonly plans = new Map<string, Plan>();

  constructor(overrides: z.infer<typeof planOverridesSchema> = []) {
    for (const plan of DEFAULT_PLANS) this.plans.set(plan.id, { ...plan });
    this.apply(overrides);
  }

  static fromJson(json: string | undefined): PlanRegistry {
    if (!json) return new PlanRegistry();
    const parsed = planOverridesSchema.safeParse(JSON.parse(json));
    if (!parsed.success) {
      throw new Error(`PLANS_JSON: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return new PlanRegistry(parsed.data);
  }

  apply(overrides: z.infer<typeof planOverridesSchema>): void {
    for (const override of overrides) {
      const base = this.plans.get(override.id) ?? { ...DEFAULT_PLANS[0]!, name: override.id };
      this.plans.set(override.id, planSchema.parse({ ...base, ...override }));
    }
  }

  /** Unknown ids fall back to free. */
  for(id: string | null | undefined): Plan {
    return this.plans.get(id ?? "free") ?? this.plans.get("free")!;
  }

  all(): Plan[] {
    return [...this.plans.values()];
  }
}
