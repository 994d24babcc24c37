import type { Logger } from "pino";
import { currentSetupToken } from "../server/auth/setup-token";
import type { Services } from "../server/runtime/services";

/**
 * While the platform has no administrator, the web process writes the one-time setup token to
 * its log (npm start prints it too): whoever can read the operator's logs can make the first
 * administrator, nobody else. Nothing is logged once setup is done.
 */
export async function announceSetupToken(services: Pick<Services, "db" | "config">, log: Logger): Promise<void> {
  try {
    const token = await currentSetupToken(services);
    if (!token) return;
    const setupUrl = new URL("/setup", services.config.PUBLIC_URL).toString();
    log.warn({ setupUrl }, `no administrator yet: sign in at ${setupUrl} and enter the setup token ${token}`);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "could not check whether the platform needs its setup token");
  }
}
