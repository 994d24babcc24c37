import type { AppConfig } from "../config/config";

/**
 * Whether the development mail catcher may run and its inbox be shown: only when the mode was
 * set explicitly to development or test (NODE_ENV or WH_ENV; `npm start` sets WH_ENV). NODE_ENV
 * left unset also means development for most defaults, but an operator who simply forgot it must
 * not end up with a page that shows the platform's mail, revoke and confirmation links included.
 */
export function mailCatcherAllowed(config: Pick<AppConfig, "NODE_ENV" | "modeDeclared">): boolean {
  return config.modeDeclared && (config.NODE_ENV === "development" || config.NODE_ENV === "test");
}
