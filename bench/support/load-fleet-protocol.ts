import { z } from "zod";

/** What bench/load.bench.ts hands the fleet process (load-fleet-process.ts), as a JSON file. */
export const fleetConfigSchema = z.object({
  hubWs: z.string().url(),
  appSecret: z.string().min(32),
  workers: z.array(z.object({ id: z.number().int().positive(), apiKey: z.string().min(1), appId: z.number().int().positive() })).min(1),
  streamEverySeconds: z.number().positive(),
  linesPerFrame: z.number().int().min(1).max(5_000),
  connectSpreadMs: z.number().int().min(0),
});
export type FleetConfig = z.infer<typeof fleetConfigSchema>;

/** One line on the fleet process's stdout: counters since it started. */
export const fleetReportSchema = z.object({
  at: z.number(),
  connected: z.number().int(),
  frames: z.number().int(),
  lines: z.number().int(),
  skipped: z.number().int(),
  reconnects: z.number().int(),
  done: z.boolean(),
});
export type FleetReport = z.infer<typeof fleetReportSchema>;
