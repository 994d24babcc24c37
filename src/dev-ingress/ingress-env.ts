import { z } from "zod";

/** What the ingress process reads; the launcher sets each (src/dev-ingress/launch.ts). */
export const ingressEnvSchema = z.object({
  DEV_INGRESS_PORT: z.coerce.number().int().min(1).max(65535),
  BIND_HOST: z.string().default("127.0.0.1"),
  HUB_INTERNAL_URL: z.url("must be the hub's http:// address, e.g. http://127.0.0.1:3001"),
  TRAEFIK_PROXY_TOKEN: z.string().min(16, "must be the hub's TRAEFIK_PROXY_TOKEN (at least 16 characters)"),
  PLATFORM_DOMAIN: z.string().default("localhost"),
  /** How often the route table is polled, ms. */
  DEV_INGRESS_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  LOG_LEVEL: z.string().default("info"),
});
export type IngressEnv = z.infer<typeof ingressEnvSchema>;

export function parseIngressEnv(env: Record<string, string | undefined>): IngressEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = ingressEnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid development ingress configuration:\n${problems}\nSee .env.example (DEV_INGRESS_PORT).`);
  }
  return result.data;
}
