import { z } from "zod";
import { jobFrameSchema } from "../../protocol/job-payload";

/** Payload schemas of every hub → worker type; anything else is `unknown_type`. */
export const hubMessageSchemas = {
  welcome: z.object({
    worker_id: z.union([z.number().int(), z.string().min(1)]),
    server_time: z.union([z.string(), z.number()]),
  }),
  job: jobFrameSchema,
  error: z.object({
    code: z.string().max(64),
    message: z.string().max(4096).default(""),
  }),
} as const;

export type HubMessageType = keyof typeof hubMessageSchemas;
export type HubMessage =
  | { type: "welcome"; seq: number; data: z.infer<typeof hubMessageSchemas.welcome> }
  | { type: "job"; seq: number; data: z.infer<typeof hubMessageSchemas.job> }
  | { type: "error"; seq: number; re: number; data: z.infer<typeof hubMessageSchemas.error> };

export function isHubMessageType(type: string): type is HubMessageType {
  return Object.hasOwn(hubMessageSchemas, type);
}
