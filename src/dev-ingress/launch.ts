import type { RawEnv } from "../server/config/env";
import { preferredOrFreePort } from "../net/free-port";
import type { ChildSpec } from "../launcher/supervisor";

export interface DevIngressPlan {
  port: number;
  /** http://localhost:<port>: the web process links apps as http://<slug>.localhost:<port>. */
  url: string;
  /** What every child gets (the web process reads DEV_INGRESS_URL). */
  env: Record<string, string>;
  spec(base: { command: string; env: NodeJS.ProcessEnv; cwd: string }): ChildSpec;
}

/**
 * `npm start`'s development ingress (src/dev-ingress/main.ts): DEV_INGRESS_PORT (3080) or, when
 * that is taken, a free port, said at start. Null in production, where Traefik routes apps.
 */
export async function planDevIngress(parsed: RawEnv, note: (line: string) => void): Promise<DevIngressPlan | null> {
  if (parsed.NODE_ENV === "production") return null;
  const port = await preferredOrFreePort(parsed.DEV_INGRESS_PORT, parsed.BIND_HOST);
  if (port !== parsed.DEV_INGRESS_PORT) note(`DEV_INGRESS_PORT ${parsed.DEV_INGRESS_PORT} is in use; the development ingress uses port ${port}`);
  const url = `http://localhost:${port}`;
  note(`apps will answer at http://<app name>.localhost:${port} (development ingress)`);
  const env = { DEV_INGRESS_PORT: String(port), DEV_INGRESS_URL: url };
  return {
    port,
    url,
    env,
    spec: (base) => ({ name: "dev-ingress", command: base.command, args: ["--import", "tsx", "src/dev-ingress/main.ts"], env: { ...base.env, ...env }, cwd: base.cwd }),
  };
}
