import { z } from "zod";
import { envelopeSchema } from "./envelope";
import { hubMessageSchemas } from "./hub-messages";
import { workerMessageSchemas } from "./worker-messages";

/**
 * JSON Schemas (draft 2020-12) for the envelope and each message payload, derived from the zod
 * schemas both sides validate with, so the published schemas (docs/protocol-schemas/, written by
 * scripts/write-protocol-schemas.ts) cannot drift from the code.
 */
export function protocolJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  const add = (name: string, title: string, schema: z.ZodType, io: "input" | "output") => {
    out[name] = {
      $id: `https://wisehosting.dev/protocol/v1/${name}.json`,
      title,
      ...z.toJSONSchema(schema, { io, unrepresentable: "any" }),
    };
  };
  add("envelope", "Frame envelope (every WebSocket text frame)", envelopeSchema, "input");
  for (const [type, schema] of Object.entries(workerMessageSchemas)) {
    add(`worker.${type}`, `${type} payload (worker → hub), the JSON inside data`, schema, "input");
  }
  for (const [type, schema] of Object.entries(hubMessageSchemas)) {
    add(`hub.${type}`, `${type} payload (hub → worker), the JSON inside data`, schema, "output");
  }
  return out;
}
